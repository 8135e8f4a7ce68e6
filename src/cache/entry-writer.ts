import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { MAX_BATCH_FRAMES, type Mp3Frame, type SongLoudness } from '../audio/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { IO_CHUNK_BYTES, WRITER_HIGH_WATER_FRAMES } from './defaults.js';
import { encodeHeader, FRAME_PREFIX_BYTES, framePrefix, headerLength, MAX_PAYLOAD_BYTES, unstorableFrame } from './entry-format.js';
import { tempFileName } from './entry-name.js';
import { CacheEntryTooLargeError, CacheWriteError } from './errors.js';
import { toFileTime, writeFully } from './file-io.js';
import type { WallClock } from '../time/index.js';

export interface EntryWriterTarget {
  readonly dir: string;
  /** The entry's file name in `dir` (see entry-name.ts). */
  readonly name: string;
  readonly ref: string;
  readonly formatKey: string;
  /** The song's measured loudness, asked once all frames are in (the transcode's summary is known by then). */
  readonly loudness?: (() => SongLoudness | undefined) | undefined;
  /** The entry may not grow past this: the size of the whole cache. */
  readonly maxBytes: number;
  readonly now: WallClock;
  readonly logger: Logger;
  /** Makes sure the folder is there (and indexed) before the temp file is created in it. */
  readonly prepare: () => Promise<void>;
  /** Called once the complete entry is in place under its name, with its size and the time it was written. */
  readonly committed: (bytes: number, atMs: number) => Promise<void>;
  /** Called once when the writer gives up; callers go on playing, so this is where the failure is told. */
  readonly failed: (error: Error) => void;
}

/**
 * `writing` → `committing` (end() was called) → `committed` (renamed into place), or `discarded` from
 * either of the first two (destroy(), an error): the temp file is removed and nothing becomes visible.
 */
type WriterState = 'writing' | 'committing' | 'committed' | 'discarded';

/**
 * Writes one entry (see entry-format.ts) to a temp file beside it. The payload is written from offset
 * H onwards as frames arrive; the header, which needs the final count, length and CRC, is written at
 * offset 0 on end(), and only then is the file renamed onto the entry's name, so a cache reader never sees
 * a partial entry. The rename replaces an older entry for the same song, if any.
 *
 * A song may play while it is written: follow() opens the temp file for a GrowingEntryReader, which reads
 * the payload up to `payloadBytesWritten` and is told of more by 'progress'. While a follower waits for
 * more (followerWaiting), every batch is written at once rather than gathered into IO_CHUNK_BYTES, so the
 * first frames play within milliseconds of ffmpeg making them.
 */
export class CacheEntryWriter extends Writable {
  private state: WriterState = 'writing';
  private handle: FileHandle | undefined;
  /** Whether the temp file was made: a writer whose folder refused it has nothing to clean up. */
  private created = false;
  private readonly tempPath: string;
  private readonly entryPath: string;
  private readonly payloadStart: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushedBytes = 0;
  private frameCount = 0;
  private crc = 0;
  /** Followers that have read all that is on disk and wait for more: the writer then writes each batch at once. */
  private waitingFollowers = 0;
  /** Writes of the payload, one after the other: a follower's wait may ask for one while a batch's is in flight. */
  private flushing: Promise<void> = Promise.resolve();
  /** Followers' opens of the temp file still in flight: the commit's rename waits for them. */
  private readonly opening = new Set<Promise<unknown>>();
  /** Settles once _construct has made the temp file (or failed to): a follower opens it only then. */
  private readonly constructed: Promise<void>;
  private markConstructed: (error?: Error) => void = () => {};
  private measured: SongLoudness | undefined;

  constructor(private readonly target: EntryWriterTarget) {
    super({ objectMode: true, highWaterMark: Math.ceil(WRITER_HIGH_WATER_FRAMES / MAX_BATCH_FRAMES) });
    this.tempPath = join(target.dir, tempFileName(target.name));
    this.entryPath = join(target.dir, target.name);
    this.payloadStart = headerLength(target.ref, target.formatKey);
    this.constructed = new Promise((resolve, reject) => (this.markConstructed = (error) => (error ? reject(error) : resolve())));
    this.constructed.catch(() => undefined);
    // Each station playing the song while it is written follows with a 'close' and a 'finish' listener or
    // two: as many as the worker has stations, which is not a leak (Node warns past 10).
    this.setMaxListeners(0);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.target
      .prepare()
      .then(() => open(this.tempPath, 'wx'))
      .then(
        (handle) => {
          this.handle = handle;
          this.created = true;
          this.markConstructed();
          callback();
        },
        (error: unknown) => {
          const failure = this.failure(error);
          this.markConstructed(failure);
          callback(failure);
        },
      );
  }

  /** Payload bytes on disk so far (a follower may read up to here); emits 'progress' as it grows. */
  get payloadBytesWritten(): number {
    return this.flushedBytes;
  }

  /** Frames in the entry: final once the writer has committed ('finish'). */
  get framesWritten(): number {
    return this.frameCount;
  }

  /** Where the payload starts in the file. */
  get payloadOffset(): number {
    return this.payloadStart;
  }

  /** The loudness stored with the entry, once committed. */
  get loudness(): SongLoudness | undefined {
    return this.measured;
  }

  /**
   * The temp file, open for reading, for a reader that plays the song while it is written. Rejects when the
   * writer has already committed or given up: the caller then reads the committed entry, or does without.
   */
  follow(): Promise<FileHandle> {
    if (this.state !== 'writing') return Promise.reject(new Error('the cache entry is no longer being written'));
    const opened = this.constructed.then(() => open(this.tempPath, 'r'));
    const settled = opened.then(
      () => undefined,
      () => undefined,
    );
    this.opening.add(settled);
    void settled.then(() => this.opening.delete(settled));
    return opened;
  }

  /**
   * A follower has read everything on disk and waits for 'progress': what is pending is written now, and
   * every batch from now on, until the returned function is called. Otherwise the payload is written in
   * IO_CHUNK_BYTES pieces: a follower that has frames to play does not need each batch as it comes (a 33 s
   * song took ~50 writes and as many reads one batch at a time, 9 of each this way).
   */
  followerWaiting(): () => void {
    this.waitingFollowers += 1;
    if (this.state === 'writing' && this.pendingBytes > 0) {
      this.flush().catch((error: unknown) => this.destroy(this.failure(error)));
    }
    let released = false;
    return () => {
      if (!released) this.waitingFollowers -= 1;
      released = true;
    };
  }

  /** Takes a batch of frames (`Mp3FrameBatch`), as the transcoder hands them out. */
  override _write(batch: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!Array.isArray(batch)) return callback(this.failure(new Error('not a batch of frames (an array expected)')));
    for (const frame of batch as unknown[]) {
      const problem = this.append(frame);
      if (problem) return callback(problem);
    }
    if (this.pendingBytes < IO_CHUNK_BYTES && this.waitingFollowers === 0) return callback();
    this.flush().then(
      () => callback(),
      (error: unknown) => callback(this.failure(error)),
    );
  }

  /** Adds one frame to what the next flush writes; the error that ends the entry if it cannot. */
  private append(frame: unknown): Error | undefined {
    const problem = unstorableFrame(frame);
    if (problem) return this.failure(new Error(problem));
    const stored = frame as Mp3Frame;
    const { bytes } = stored;
    const payloadBytes = this.flushedBytes + this.pendingBytes + FRAME_PREFIX_BYTES + bytes.length;
    if (this.payloadStart + payloadBytes > this.target.maxBytes || payloadBytes > MAX_PAYLOAD_BYTES) {
      return new CacheEntryTooLargeError(this.target.ref, this.target.maxBytes);
    }
    const prefix = framePrefix(stored);
    this.crc = crc32(bytes, crc32(prefix, this.crc));
    this.pending.push(prefix, bytes);
    this.pendingBytes += prefix.length + bytes.length;
    this.frameCount += 1;
    return undefined;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.state = 'committing';
    this.commit().then(
      () => callback(),
      (error: unknown) => callback(this.failure(error)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) this.target.failed(error);
    if (this.state === 'committed') return callback(error);
    this.state = 'discarded';
    const handle = this.handle;
    this.handle = undefined;
    // close() waits for a write still in flight; then the temp file goes, so nothing partial stays on disk.
    void (async () => {
      await handle?.close().catch(() => undefined);
      if (!this.created) return;
      await rm(this.tempPath, { force: true }).catch((failure: unknown) =>
        this.target.logger.warn({ path: this.tempPath, err: describeError(failure) }, 'could not remove a cache temp file'),
      );
    })().then(() => callback(error));
  }

  private async commit(): Promise<void> {
    if (this.frameCount === 0) throw new Error('the song had no frames');
    await this.flush();
    const handle = this.requireHandle();
    this.measured = this.target.loudness?.();
    const header = encodeHeader({
      formatKey: this.target.formatKey,
      ref: this.target.ref,
      frameCount: this.frameCount,
      payloadBytes: this.flushedBytes,
      payloadCrc: this.crc,
      loudness: this.measured,
    });
    await writeFully(handle, header, 0);
    // A new entry counts as just played: it is being played right now, as it is written.
    const atMs = this.target.now();
    await handle.utimes(toFileTime(atMs), toFileTime(atMs));
    this.handle = undefined;
    await handle.close();
    if (this.state === 'discarded') return; // destroy() won the race: _destroy removes the temp file
    // A follower opening the temp file now would find it gone once renamed.
    await Promise.all(this.opening);
    await rename(this.tempPath, this.entryPath);
    this.state = 'committed';
    await this.target.committed(this.payloadStart + this.flushedBytes, atMs);
  }

  private flush(): Promise<void> {
    const written = this.flushing.then(() => this.writePending());
    this.flushing = written.catch(() => undefined);
    return written;
  }

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await writeFully(this.requireHandle(), chunk, this.payloadStart + this.flushedBytes);
    this.flushedBytes += chunk.length;
    this.emit('progress');
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new Error('the cache temp file is closed');
    return this.handle;
  }

  private failure(error: unknown): Error {
    return error instanceof CacheWriteError || error instanceof CacheEntryTooLargeError
      ? error
      : new CacheWriteError(this.target.ref, this.target.dir, error);
  }
}
