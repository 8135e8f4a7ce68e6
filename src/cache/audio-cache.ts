import { once } from 'node:events';
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable, Writable } from 'node:stream';
import { formatKey, TranscodeError, type SongLoudness, type StreamFormat } from '../audio/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { withDeadline, systemWallClock, type WallClock } from '../time/index.js';
import { describeUnknownOptions, rejectUnknownOptions } from '../unknown-options.js';
import { STALE_TEMP_AFTER_MS, UNAVAILABLE_RETRY_MS } from './defaults.js';
import { CacheDirectoryError, CacheEntryTooLargeError } from './errors.js';
import { CacheEntryReader } from './entry-reader.js';
import { CacheEntryWriter } from './entry-writer.js';
import { FillSlots } from './fill-slots.js';
import { GrowingEntryReader } from './growing-entry-reader.js';
import { ENTRY_FILE_PATTERN, entryFileName, TEMP_FILE_PATTERN, tempFileName } from './entry-name.js';
import { chooseEvictions } from './eviction.js';
import { makeDirectory, probeWrite, toFileTime } from './file-io.js';
import { verifyEntry, type VerifiedEntry } from './verify-entry.js';
import { WriteHealth } from './write-health.js';

export interface AudioCacheOptions {
  /** Created if missing. One process per directory: the index of entries lives in that process's memory. */
  dir: string;
  /** Bound of the entries' total size on disk; least recently played entries go first to stay under it. */
  maxBytes: number;
  logger: Logger;
  /** Wall-clock milliseconds (Date.now by default); stored as each entry's mtime, its last-played time. */
  now?: WallClock;
}

export interface AudioCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  /** reader() calls that returned cached frames, and those that did not (absent or damaged). */
  hits: number;
  misses: number;
  /** Songs transcoded into the cache (fill()), and reader() calls that joined one still being written. */
  fills: number;
  joined: number;
  /** Entries removed to stay under maxBytes, since the cache opened. */
  evictions: number;
  /** Why songs are not being cached right now (ENOSPC, EROFS, …); empty while the folder takes writes. */
  unavailable: string[];
}

export interface FillOptions {
  /**
   * ffmpeg reads the song from the network (an http input): its pace is the source's, not the CPU's, so it
   * takes no fill slot; a source that trickles would otherwise hold up every song behind it until ffmpeg's
   * deadline. Its own deadlines (TRANSCODE_DEADLINES) bound it.
   */
  readonly readsNetwork?: boolean;
}

/** Longest wait, before reading an entry, for its writer to commit it (a commit normally takes milliseconds). */
const COMMIT_WAIT_MS = 2_000;

const OPTION_KEYS = new Set(['dir', 'maxBytes', 'logger', 'now']);

interface IndexedEntry {
  bytes: number;
  lastPlayedMs: number;
  /** Readers open on it (and reader() calls verifying it): eviction passes it over while this is > 0. */
  readers: number;
}

/**
 * Transcoded songs on disk: the MP3 frames of one song in one stream format per file (entry-format.ts),
 * so a song played again skips download and ffmpeg. The directory is bounded by `maxBytes`, least recently
 * played first out; last-played times are the files' mtimes, so they survive a restart.
 */
export class AudioCache {
  private readonly entries = new Map<string, IndexedEntry>();
  /** Writers still open, by entry file name: at most one per song playing or prepared. */
  private readonly writers = new Map<string, Writable>();
  private totalBytes = 0;
  private hits = 0;
  private misses = 0;
  private fills = 0;
  private joined = 0;
  private readonly fillSlots = new FillSlots();
  /** When each fill's transcode started (fills wait for a slot first), by its writer. */
  private readonly fillStarts = new WeakMap<CacheEntryWriter, Promise<void>>();
  private evictions = 0;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  private readonly now: WallClock;
  private readonly health: WriteHealth;
  /** The directory made and its entries indexed; until then every writer tries (probe permitting) again. */
  private indexed: Promise<void> | undefined;

  private constructor(options: AudioCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.logger = options.logger;
    this.now = options.now ?? systemWallClock;
    this.health = new WriteHealth({ dir: this.dir, logger: this.logger, now: this.now, retryAfterMs: UNAVAILABLE_RETRY_MS });
  }

  /**
   * Creates the directory if needed, indexes the entries in it, removes temp files of dead writers and
   * checks that it takes a write. A folder that cannot be used (full, read-only, no permission, a file in
   * the way) does not fail: the cache opens unavailable, with one warning, and songs play uncached until a
   * later writer finds the folder usable again.
   */
  static async open(options: AudioCacheOptions): Promise<AudioCache> {
    rejectUnknownOptions(options, OPTION_KEYS, (unknown) => new TypeError(`audio cache: ${describeUnknownOptions(unknown)}`));
    if (typeof options.dir !== 'string' || options.dir === '') throw new TypeError('audio cache: dir must be a directory path');
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) {
      throw new RangeError(`audio cache: maxBytes must be a whole number of bytes >= 1, got ${String(options.maxBytes)}`);
    }
    const cache = new AudioCache(options);
    try {
      await cache.ensureIndexed();
      // Named like a writer's temp file, so that a crash between write and removal leaves nothing scan keeps.
      await probeWrite(join(options.dir, tempFileName(entryFileName('probe', 'write'))));
    } catch (error) {
      cache.health.failed(error);
    }
    return cache;
  }

  /** Whether a committed entry exists; it is checked only when read. */
  has(ref: string, format: StreamFormat): boolean {
    return this.entries.has(entryFileName(ref, formatKey(format)));
  }

  /**
   * The cached frames of the song as an object stream, or undefined when there are none or the entry is
   * damaged (which removes it: transcode the song, and cache it again). Marks the entry as played now. A
   * song still being transcoded into the cache (fill()) is followed as it is written: a second station
   * asking for it shares the one ffmpeg. An entry another process sharing the folder wrote is found too.
   */
  async reader(ref: string, format: StreamFormat): Promise<CacheEntryReader | GrowingEntryReader | undefined> {
    const key = formatKey(format);
    const name = entryFileName(ref, key);
    await this.committing(name);
    const filling = this.following(name, ref);
    if (filling) return filling;
    const entry = this.entries.get(name) ?? (await this.foundOnDisk(name));
    if (!entry) return this.miss();
    entry.readers += 1; // from here on, eviction leaves the file alone
    // An entry found on disk was indexed just now (another process wrote it, or a commit of ours is between
    // its rename and its indexing): keep the bound at once, not at the next commit.
    if (this.totalBytes > this.maxBytes) void this.evict();
    const opened = await this.openVerified(name, ref, key);
    if (!opened) {
      this.release(name, false);
      return this.miss();
    }
    const { handle, verified } = opened;
    const playedAt = this.now();
    await handle.utimes(toFileTime(playedAt), toFileTime(playedAt)).catch((error: unknown) =>
      this.logger.debug({ song: ref, err: describeError(error) }, 'could not record when a cached song was played'),
    );
    const current = this.entries.get(name); // a commit may have replaced the index entry meanwhile
    if (current) current.lastPlayedMs = playedAt;
    this.hits += 1;
    this.logger.debug({ song: ref, format: key }, 'playing the song from the audio cache');
    return new CacheEntryReader({
      handle,
      path: join(this.dir, name),
      ref,
      formatKey: key,
      payloadStart: verified.payloadStart,
      payloadBytes: verified.header.payloadBytes,
      frameCount: verified.header.frameCount,
      loudness: verified.header.loudness,
      released: (corrupt) => {
        this.release(name, corrupt);
        if (corrupt) void this.remove(name);
      },
    });
  }

  /**
   * Transcodes a song into the cache: `transcode()` is called (and its ffmpeg started) only when the folder
   * takes writes and a fill slot is free (FILL_CONCURRENCY), and its frames are written as fast as they come,
   * not at the pace of playing; a song already being filled is joined instead. Returns a
   * reader that plays the song as it is written, or undefined when the song cannot be cached now (the
   * caller plays it straight from ffmpeg). The transcode runs to the song's end even if every reader
   * leaves (a skip): it takes seconds, and the song is cached for next time. `loudness` as for writer().
   */
  fill(ref: string, format: StreamFormat, transcode: () => Readable, loudness: () => SongLoudness | undefined, options: FillOptions = {}): GrowingEntryReader | undefined {
    // Two stations (or two plays in one list) that missed the cache together join the first fill.
    const already = this.following(entryFileName(ref, formatKey(format)), ref);
    if (already) return already;
    const writer = this.writer(ref, format, loudness);
    if (!(writer instanceof CacheEntryWriter)) return undefined;
    this.fills += 1;
    const started = this.startFill(() => new Promise((done) => this.transcodeInto(writer, transcode, done)), options);
    this.fillStarts.set(writer, started);
    return new GrowingEntryReader(writer, ref, started);
  }

  /**
   * A writer for the song's frames. The entry appears only when the writer ends (end()) and replaces any
   * older one; destroy() or an error leaves nothing. Committing evicts older entries to stay under maxBytes.
   * The writer logs its own failure, so callers may ignore its errors and carry on playing. `loudness` is
   * asked when the entry is committed: the song's figures as its transcode measured them, stored with it.
   */
  writer(ref: string, format: StreamFormat, loudness?: () => SongLoudness | undefined): Writable {
    const key = formatKey(format);
    const name = entryFileName(ref, key);
    if (!this.health.mayWrite()) return discardedWriter();
    const writer = new CacheEntryWriter({
      dir: this.dir,
      name,
      ref,
      formatKey: key,
      loudness,
      maxBytes: this.maxBytes,
      now: this.now,
      logger: this.logger,
      prepare: () => this.ensureIndexed(),
      committed: (bytes, atMs) => this.committed(name, bytes, atMs),
      failed: (error) => this.writerFailed(error, ref, key),
    });
    this.writers.set(name, writer);
    writer.once('close', () => {
      if (this.writers.get(name) === writer) this.writers.delete(name);
    });
    return writer;
  }

  /** Starts a fill now when it reads the network, else when a fill slot is free; resolves once it has started. */
  private startFill(run: () => Promise<unknown>, options: FillOptions): Promise<void> {
    if (!options.readsNetwork) return this.fillSlots.start(run);
    void run();
    return Promise.resolve();
  }

  /** A transcode that cannot even start (bad options) gives up the writer, so its readers learn it at once. */
  private transcodeInto(writer: CacheEntryWriter, transcode: () => Readable, done: (error?: Error | null) => void): void {
    try {
      pipeline(transcode(), writer, done);
    } catch (error) {
      writer.destroy(error instanceof Error ? error : new Error(String(error)));
      done();
    }
  }

  /** A reader of the entry being written now, if a writer is still taking its frames. */
  private following(name: string, ref: string): GrowingEntryReader | undefined {
    const writer = this.writers.get(name);
    if (!(writer instanceof CacheEntryWriter) || writer.writableEnded || writer.destroyed) return undefined;
    this.joined += 1;
    this.logger.debug({ song: ref }, 'playing the song as it is transcoded into the audio cache');
    return new GrowingEntryReader(writer, ref, this.fillStarts.get(writer));
  }

  /** An entry that is not indexed but on disk: written by another process sharing the folder. Indexed now. */
  private async foundOnDisk(name: string): Promise<IndexedEntry | undefined> {
    if (this.indexed === undefined) return undefined;
    const info = await stat(join(this.dir, name)).catch(() => undefined);
    if (!info?.isFile() || this.entries.has(name)) return this.entries.get(name);
    const entry = { bytes: info.size, lastPlayedMs: info.mtimeMs, readers: 0 };
    this.entries.set(name, entry);
    this.totalBytes += info.size;
    return entry;
  }

  /**
   * Waits (at most COMMIT_WAIT_MS) for a writer of this entry that has all its frames and is committing: a
   * short list asks for a song again right as its first play ends, and would otherwise transcode it twice.
   */
  private async committing(name: string): Promise<void> {
    const writer = this.writers.get(name);
    if (!writer?.writableEnded || writer.closed) return;
    await withDeadline(once(writer, 'close').catch(() => undefined), COMMIT_WAIT_MS, () => undefined);
  }

  stats(): AudioCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.totalBytes,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      fills: this.fills,
      joined: this.joined,
      evictions: this.evictions,
      unavailable: this.health.conditions,
    };
  }

  /**
   * Removes every entry in the folder, indexed or not (a cache that opened unavailable has not indexed
   * them). Readers already open finish their song: an open file outlives its name on POSIX.
   */
  async clear(): Promise<void> {
    const names = new Set(this.entries.keys());
    this.entries.clear();
    this.totalBytes = 0;
    const listed = await readdir(this.dir).catch(() => []);
    for (const name of listed) if (ENTRY_FILE_PATTERN.test(name)) names.add(name);
    await Promise.all([...names].map((name) => this.unlink(name)));
    this.logger.info({ dir: this.dir, entries: names.size }, 'audio cache cleared');
  }

  /** Makes the folder and indexes it, once; a failure is forgotten so that a later writer tries again. */
  private ensureIndexed(): Promise<void> {
    this.indexed ??= (async () => {
      await makeDirectory(this.dir);
      await this.scan();
      await this.evict();
    })().catch((error: unknown) => {
      this.indexed = undefined;
      throw new CacheDirectoryError(this.dir, error);
    });
    return this.indexed;
  }

  /** A disk condition is told once per outage (WriteHealth); anything else is about this song alone. */
  private writerFailed(error: Error, ref: string, key: string): void {
    if (error instanceof TranscodeError) return; // the song's failure, not the cache's: the station tells it
    if (this.health.failed(error)) return;
    const context = { song: ref, format: key, err: describeError(error) };
    if (error instanceof CacheEntryTooLargeError) this.logger.info(context, 'song not cached: larger than the cache');
    else this.logger.warn(context, 'song not cached: writing the cache entry failed');
  }

  private async scan(): Promise<void> {
    const now = this.now();
    let staleTemps = 0;
    // Bounded by the directory listing.
    for (const name of await readdir(this.dir)) {
      const isEntry = ENTRY_FILE_PATTERN.test(name);
      if (!isEntry && !TEMP_FILE_PATTERN.test(name)) continue; // not ours: left alone
      const info = await stat(join(this.dir, name)).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (isEntry) {
        this.entries.set(name, { bytes: info.size, lastPlayedMs: info.mtimeMs, readers: 0 });
        this.totalBytes += info.size;
      } else if (now - info.mtimeMs >= STALE_TEMP_AFTER_MS) {
        // On a read-only folder the leftover stays; it is harmless, and removed once the folder takes writes.
        if (await rm(join(this.dir, name), { force: true }).then(() => true, () => false)) staleTemps += 1;
      }
    }
    this.logger.info({ dir: this.dir, entries: this.entries.size, bytes: this.totalBytes, maxBytes: this.maxBytes, staleTemps }, 'audio cache opened');
  }

  /** The entry's file, open and checked; undefined, and the entry dropped, when it is missing or damaged. */
  private async openVerified(name: string, ref: string, key: string): Promise<{ handle: FileHandle; verified: VerifiedEntry } | undefined> {
    const path = join(this.dir, name);
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const verified = await verifyEntry(handle, { ref, formatKey: key });
      if (verified.ok) return { handle, verified: verified.value };
      this.logger.warn({ song: ref, format: key, path, problem: verified.failure }, 'cached song is damaged: removed it, transcoding again');
      await this.remove(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.forget(name); // removed behind our back
      else this.logger.warn({ song: ref, format: key, path, err: describeError(error) }, 'could not read a cached song: transcoding it instead');
    }
    await handle?.close().catch(() => undefined);
    return undefined;
  }

  private async committed(name: string, bytes: number, atMs: number): Promise<void> {
    const previous = this.entries.get(name);
    if (previous) this.totalBytes -= previous.bytes;
    this.entries.set(name, { bytes, lastPlayedMs: atMs, readers: previous?.readers ?? 0 });
    this.totalBytes += bytes;
    this.health.succeeded();
    this.logger.debug({ entry: name, bytes }, 'song cached');
    await this.evict();
  }

  /** The index changes at once (so overlapping evictions never pick the same entry); the files go after. */
  private async evict(): Promise<void> {
    const candidates = [...this.entries].map(([name, entry]) => ({ name, bytes: entry.bytes, lastPlayedMs: entry.lastPlayedMs, inUse: entry.readers > 0 }));
    const victims = chooseEvictions(candidates, this.maxBytes);
    if (victims.length === 0) {
      if (this.totalBytes > this.maxBytes) this.logger.debug({ bytes: this.totalBytes, maxBytes: this.maxBytes }, 'audio cache over its bound until a reader finishes');
      return;
    }
    for (const name of victims) this.forget(name);
    this.evictions += victims.length;
    await Promise.all(victims.map((name) => this.unlink(name)));
    this.logger.debug({ evicted: victims.length, bytes: this.totalBytes, maxBytes: this.maxBytes }, 'audio cache evicted least recently played songs');
  }

  private release(name: string, corrupt: boolean): void {
    const entry = this.entries.get(name);
    if (entry) entry.readers = Math.max(0, entry.readers - 1);
    // An eviction deferred because this entry (or another) was being read can happen now.
    if (!corrupt && this.totalBytes > this.maxBytes) void this.evict();
  }

  private async remove(name: string): Promise<void> {
    this.forget(name);
    await this.unlink(name);
  }

  private forget(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.totalBytes -= entry.bytes;
  }

  private async unlink(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true }).catch((error: unknown) =>
      this.logger.warn({ path: join(this.dir, name), err: describeError(error) }, 'could not remove a cache entry'),
    );
  }

  private miss(): undefined {
    this.misses += 1;
    return undefined;
  }
}

/**
 * What writer() hands out while the folder refuses writes: already destroyed, so no file-system call is
 * made for the song.
 */
function discardedWriter(): Writable {
  return new Writable({ objectMode: true, write: (_batch, _encoding, callback) => callback() }).destroy();
}
