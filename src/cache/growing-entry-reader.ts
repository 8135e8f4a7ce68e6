import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { MAX_BATCH_FRAMES, TranscodeError, type Mp3Frame, type SongLoudness } from '../audio/index.js';
import { FILL_PROGRESS_DEADLINE_MS, IO_CHUNK_BYTES, READER_HIGH_WATER_FRAMES } from './defaults.js';
import type { CacheEntryWriter } from './entry-writer.js';
import { FrameRecordDecoder } from './entry-format.js';
import { CacheFillError } from './errors.js';
import { readAt } from '../read-at.js';

/**
 * The frames of an entry that is still being written (a song transcoded into the cache at full speed while
 * it plays), as an object stream of batches like CacheEntryReader's. It reads the writer's temp file up to
 * what the writer has written, waits for 'progress' when it has caught up, and ends once the writer has
 * committed and every frame is read.
 *
 * It fails with the writer's own error when the transcode failed (a TranscodeError: the song's fault), and
 * with a CacheFillError when the cache let the song down (the disk refused a write, the song outgrew the
 * cache, or nothing was written for FILL_PROGRESS_DEADLINE_MS while frames were wanted): the frames read
 * until then are good, and `framesRead` says where another source of the same frames should take over.
 */
export class GrowingEntryReader extends Readable {
  private readonly records = new FrameRecordDecoder();
  private ready: Mp3Frame[] = [];
  private nextReady = 0;
  private readBytes = 0;
  private pumping = false;
  private handle: FileHandle | undefined;
  private readonly opened: Promise<FileHandle>;
  private handedOut = 0;
  private readonly settled: Promise<void>;

  /** `started` settles when the writer's transcode has started (it may wait for a fill slot): the progress deadline counts from then. */
  constructor(
    private readonly writer: CacheEntryWriter,
    private readonly ref: string,
    private readonly started: Promise<void> = Promise.resolve(),
  ) {
    super({ objectMode: true, highWaterMark: Math.ceil(READER_HIGH_WATER_FRAMES / MAX_BATCH_FRAMES) });
    this.opened = writer.follow();
    // Read by pump(); a failed open is the writer's failure, reported there.
    this.opened.catch(() => undefined);
    this.settled = new Promise((resolve) => {
      writer.once('finish', resolve);
      writer.once('close', resolve);
    });
  }

  /** Frames handed to the consumer so far. */
  get framesRead(): number {
    return this.handedOut;
  }

  /** The song's loudness, known once the writer has committed the entry (the transcode measured it). */
  get loudness(): SongLoudness | undefined {
    return this.writer.loudness;
  }

  /** Settles when the writer has committed the entry or given up. */
  get done(): Promise<void> {
    return this.settled;
  }

  override _read(): void {
    void this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.opened
      .then((handle) => handle.close())
      .catch(() => undefined)
      .then(() => callback(error));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.handle ??= await this.opened.catch((error: unknown) => {
        throw this.writerFailure() ?? new CacheFillError(this.ref, error);
      });
      while (!this.destroyed) {
        if (this.mayPush() && !this.pushReady()) return;
        if (this.readBytes < this.writer.payloadBytesWritten) await this.readChunk(this.handle);
        else if (this.writerCommitted()) return this.finish();
        else await this.awaitProgress();
      }
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The first push waits for a whole batch (~0.8 s of audio, milliseconds of a full-speed ffmpeg): a track
   * that started on the first frame or two of ffmpeg's output would run dry at once, and the pacer would
   * send silence until its next wake-up.
   */
  private mayPush(): boolean {
    return this.handedOut > 0 || this.ready.length - this.nextReady >= MAX_BATCH_FRAMES || this.writerCommitted() || this.writer.destroyed;
  }

  /** Pushes the decoded frames; false when the consumer's buffer is full. */
  private pushReady(): boolean {
    while (this.nextReady < this.ready.length) {
      const batch = this.ready.slice(this.nextReady, this.nextReady + MAX_BATCH_FRAMES);
      this.nextReady += batch.length;
      this.handedOut += batch.length;
      if (!this.push(batch)) return false;
    }
    return true;
  }

  private async readChunk(handle: FileHandle): Promise<void> {
    const length = Math.min(IO_CHUNK_BYTES, this.writer.payloadBytesWritten - this.readBytes);
    const chunk = await readAt(handle, length, this.writer.payloadOffset + this.readBytes);
    if (chunk.length === 0) throw new CacheFillError(this.ref, new Error(`the file ends at payload byte ${this.readBytes}, the writer has written ${this.writer.payloadBytesWritten}`));
    this.readBytes += chunk.length;
    // Frames not handed out yet (only while the first batch gathers) stay ahead of the new ones.
    const decoded = this.records.push(chunk);
    this.ready = this.nextReady < this.ready.length ? [...this.ready.slice(this.nextReady), ...decoded] : decoded;
    this.nextReady = 0;
  }

  private writerCommitted(): boolean {
    return this.writer.writableFinished;
  }

  private finish(): void {
    if (this.records.pendingBytes > 0 || this.records.frames !== this.writer.framesWritten) {
      throw new CacheFillError(this.ref, new Error(`${this.records.frames} whole frames read, the writer wrote ${this.writer.framesWritten}`));
    }
    this.push(null);
  }

  /**
   * Waits for the writer to write more, commit or give up. A writer that neither writes nor ends for
   * FILL_PROGRESS_DEADLINE_MS while frames are wanted has a disk that hangs (ffmpeg's own stalls fail the
   * transcode sooner, TRANSCODE_DEADLINES).
   */
  private async awaitProgress(): Promise<void> {
    const failure = this.writerFailure();
    if (failure) throw failure;
    await this.started;
    if (this.readBytes < this.writer.payloadBytesWritten || this.writer.writableFinished || this.writer.destroyed) return;
    const release = this.writer.followerWaiting();
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        release();
        clearTimeout(timer);
        this.writer.off('progress', done);
        this.writer.off('finish', done);
        this.writer.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new CacheFillError(this.ref, new Error(`nothing written to the cache for ${FILL_PROGRESS_DEADLINE_MS} ms`)));
      }, FILL_PROGRESS_DEADLINE_MS);
      this.writer.on('progress', done);
      this.writer.once('finish', done);
      this.writer.once('close', done);
    });
  }

  /** Why the writer gave up, if it has: the transcode's own error, or a CacheFillError for the cache's. */
  private writerFailure(): Error | undefined {
    if (!this.writer.destroyed || this.writer.writableFinished) return undefined;
    const error = this.writer.errored;
    if (error instanceof TranscodeError) return error;
    return new CacheFillError(this.ref, error ?? new Error('the cache writer stopped before the song ended'));
  }
}
