import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { formatKey, type StreamFormat } from '../audio/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { STALE_TEMP_AFTER_MS } from './defaults.js';
import { CacheDirectoryError } from './errors.js';
import { CacheEntryReader } from './entry-reader.js';
import { CacheEntryWriter } from './entry-writer.js';
import { ENTRY_FILE_PATTERN, entryFileName, TEMP_FILE_PATTERN } from './entry-name.js';
import { chooseEvictions } from './eviction.js';
import { toFileTime } from './file-io.js';
import { verifyEntry, type VerifiedEntry } from './verify-entry.js';

export interface AudioCacheOptions {
  /** Created if missing. One process per directory: the index of entries lives in that process's memory. */
  dir: string;
  /** Bound of the entries' total size on disk; least recently played entries go first to stay under it. */
  maxBytes: number;
  logger: Logger;
  /** Wall-clock milliseconds (Date.now by default); stored as each entry's mtime, its last-played time. */
  now?: () => number;
}

export interface AudioCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  /** reader() calls that returned cached frames, and those that did not (absent or damaged). */
  hits: number;
  misses: number;
}

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
  private totalBytes = 0;
  private hits = 0;
  private misses = 0;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  private readonly now: () => number;

  private constructor(options: AudioCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Creates the directory if needed, indexes the entries in it and removes temp files of dead writers. */
  static async open(options: AudioCacheOptions): Promise<AudioCache> {
    const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
    if (unknown.length > 0) throw new TypeError(`audio cache: unknown option(s) ${unknown.join(', ')}`);
    if (typeof options.dir !== 'string' || options.dir === '') throw new TypeError('audio cache: dir must be a directory path');
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) {
      throw new RangeError(`audio cache: maxBytes must be a whole number of bytes >= 1, got ${String(options.maxBytes)}`);
    }
    const cache = new AudioCache(options);
    try {
      await mkdir(options.dir, { recursive: true });
      await cache.scan();
    } catch (error) {
      throw new CacheDirectoryError(options.dir, error);
    }
    await cache.evict();
    return cache;
  }

  /** Whether a committed entry exists; it is checked only when read. */
  has(ref: string, format: StreamFormat): boolean {
    return this.entries.has(entryFileName(ref, formatKey(format)));
  }

  /**
   * The cached frames of the song as an object stream, or undefined when there are none or the entry is
   * damaged (which removes it: transcode the song, and cache it again). Marks the entry as played now.
   */
  async reader(ref: string, format: StreamFormat): Promise<Readable | undefined> {
    const key = formatKey(format);
    const name = entryFileName(ref, key);
    const entry = this.entries.get(name);
    if (!entry) return this.miss();
    entry.readers += 1; // from here on, eviction leaves the file alone
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
      released: (corrupt) => {
        this.release(name, corrupt);
        if (corrupt) void this.remove(name);
      },
    });
  }

  /**
   * A writer for the song's frames. The entry appears only when the writer ends (end()) and replaces any
   * older one; destroy() or an error leaves nothing. Committing evicts older entries to stay under maxBytes.
   * The writer logs its own failure, so callers may ignore its errors and carry on playing.
   */
  writer(ref: string, format: StreamFormat): Writable {
    const key = formatKey(format);
    const name = entryFileName(ref, key);
    return new CacheEntryWriter({
      dir: this.dir,
      name,
      ref,
      formatKey: key,
      maxBytes: this.maxBytes,
      now: this.now,
      logger: this.logger,
      committed: (bytes, atMs) => this.committed(name, bytes, atMs),
    });
  }

  stats(): AudioCacheStats {
    return { entries: this.entries.size, bytes: this.totalBytes, maxBytes: this.maxBytes, hits: this.hits, misses: this.misses };
  }

  /** Removes every entry. Readers already open finish their song: an open file outlives its name on POSIX. */
  async clear(): Promise<void> {
    const names = [...this.entries.keys()];
    this.entries.clear();
    this.totalBytes = 0;
    await Promise.all(names.map((name) => this.unlink(name)));
    this.logger.info({ dir: this.dir, entries: names.length }, 'audio cache cleared');
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
        await rm(join(this.dir, name), { force: true });
        staleTemps += 1;
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
      this.logger.warn({ song: ref, format: key, path, problem: verified.problem }, 'cached song is damaged: removed it, transcoding again');
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
