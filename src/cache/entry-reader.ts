import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { MAX_BATCH_FRAMES, type Mp3Frame, type SongLoudness } from '../audio/index.js';
import { IO_CHUNK_BYTES, READER_HIGH_WATER_FRAMES } from './defaults.js';
import { FrameRecordDecoder } from './entry-format.js';
import { CacheEntryCorruptError } from './errors.js';
import { readAt } from '../read-at.js';

export interface EntrySource {
  /** Open on the entry; the reader closes it. */
  readonly handle: FileHandle;
  readonly path: string;
  readonly ref: string;
  readonly formatKey: string;
  readonly payloadStart: number;
  readonly payloadBytes: number;
  readonly frameCount: number;
  /** As the entry's header has it: undefined when not measured (and in version 1 entries). */
  readonly loudness: SongLoudness | undefined;
  /** Called once when the reader is done (ended, destroyed or failed); `corrupt` asks to remove the entry. */
  readonly released: (corrupt: boolean) => void;
}

/**
 * The frames of one (already verified) entry as an object stream of batches (`Mp3FrameBatch`): reads
 * IO_CHUNK_BYTES at a time, and only when the consumer wants more, so at most READER_HIGH_WATER_FRAMES
 * (rounded up to whole batches) plus one chunk's frames sit in memory.
 * It still checks the record structure as it goes and fails with CacheEntryCorruptError if the file no
 * longer matches its header.
 */
export class CacheEntryReader extends Readable {
  private readonly records = new FrameRecordDecoder();
  private ready: Mp3Frame[] = [];
  private nextReady = 0;
  private readBytes = 0;
  private pumping = false;
  private corrupt = false;

  constructor(private readonly source: EntrySource) {
    super({ objectMode: true, highWaterMark: Math.ceil(READER_HIGH_WATER_FRAMES / MAX_BATCH_FRAMES) });
  }

  /** The song's loudness measured when it was transcoded; undefined when the entry has none. */
  get loudness(): SongLoudness | undefined {
    return this.source.loudness;
  }

  override _read(): void {
    void this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.handle
      .close()
      .catch(() => undefined)
      .then(() => {
        this.source.released(this.corrupt);
        callback(error);
      });
  }

  /**
   * Pushes frames until the stream's buffer is full, reading the next chunk when the decoded ones run out.
   * Ends within payloadBytes / IO_CHUNK_BYTES reads: each read consumes at least one byte or fails.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.destroyed) {
        while (this.nextReady < this.ready.length) {
          const batch = this.ready.slice(this.nextReady, this.nextReady + MAX_BATCH_FRAMES);
          this.nextReady += batch.length;
          if (!this.push(batch)) return;
        }
        if (this.readBytes >= this.source.payloadBytes) {
          this.finishPayload();
          return;
        }
        await this.readChunk();
      }
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.pumping = false;
    }
  }

  private async readChunk(): Promise<void> {
    const { handle, payloadStart, payloadBytes } = this.source;
    const chunk = await readAt(handle, Math.min(IO_CHUNK_BYTES, payloadBytes - this.readBytes), payloadStart + this.readBytes);
    if (chunk.length === 0) throw this.damaged(`file ends at payload byte ${this.readBytes} of ${payloadBytes}`);
    this.readBytes += chunk.length;
    try {
      this.ready = this.records.push(chunk);
    } catch (error) {
      throw this.damaged(error instanceof Error ? error.message : String(error));
    }
    this.nextReady = 0;
  }

  private finishPayload(): void {
    if (this.records.pendingBytes > 0 || this.records.frames !== this.source.frameCount) {
      throw this.damaged(`${this.records.frames} whole frames, header says ${this.source.frameCount}`);
    }
    this.push(null);
  }

  private damaged(problem: string): CacheEntryCorruptError {
    this.corrupt = true;
    const { ref, formatKey, path } = this.source;
    return new CacheEntryCorruptError({ ref, formatKey, path, problem });
  }
}
