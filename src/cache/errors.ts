import { RelaycastError } from '../errors.js';

/** A cache entry failed its checks (truncated, bit rot, another format): it is removed; transcode the song again. */
export class CacheEntryCorruptError extends RelaycastError {
  readonly ref: string;
  readonly formatKey: string;
  readonly path: string;

  constructor(context: { ref: string; formatKey: string; path: string; problem: string }) {
    super(
      'ERR_CACHE_ENTRY_CORRUPT',
      `cached audio for ${context.ref} (${context.formatKey}) in ${context.path} is damaged (${context.problem}): ` +
        'removed it; the song will be transcoded again',
    );
    this.ref = context.ref;
    this.formatKey = context.formatKey;
    this.path = context.path;
  }
}

/** A song bigger than the whole cache cannot be kept: the writer gives up and leaves nothing behind. */
export class CacheEntryTooLargeError extends RelaycastError {
  readonly ref: string;

  constructor(ref: string, maxBytes: number) {
    super('ERR_CACHE_ENTRY_TOO_LARGE', `${ref} is larger than the whole audio cache (${maxBytes} bytes): not caching it; raise the cache size to keep songs this long`);
    this.ref = ref;
  }
}

/** Writing an entry failed (disk full, permissions, a frame the format cannot hold): nothing was kept. */
export class CacheWriteError extends RelaycastError {
  readonly ref: string;

  constructor(ref: string, path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_CACHE_WRITE', `could not cache ${ref} in ${path}: ${reason}`, { cause });
    this.ref = ref;
  }
}

/** The cache directory cannot be created or listed: a setting or permission for the operator to fix. */
export class CacheDirectoryError extends RelaycastError {
  readonly dir: string;

  constructor(dir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_CACHE_DIR', `cannot use ${dir} as the audio cache directory: ${reason}; check the configured cache directory and its permissions`, {
      cause,
    });
    this.dir = dir;
  }
}

/** The cache folder refuses writes (full, read-only, no permission): songs play uncached until it recovers. */
export class CacheUnavailableError extends RelaycastError {
  readonly dir: string;
  readonly condition: string;

  constructor(dir: string, condition: string, explanation: string, retryAfterMs: number, cause: unknown) {
    super(
      'ERR_CACHE_UNAVAILABLE',
      `cannot cache audio in ${dir}: ${explanation} (${condition}); songs play without the cache, which is tried again every ` +
        `${Math.round(retryAfterMs / 1000)} s; free space or fix the permissions of the cache directory (CACHE_DIR)`,
      { cause },
    );
    this.dir = dir;
    this.condition = condition;
  }
}

/**
 * A song playing while it is transcoded into the cache lost its frames to the cache (a write refused, the
 * song outgrew the cache, the disk hung): not the song's fault, so it goes on from ffmpeg directly.
 */
export class CacheFillError extends RelaycastError {
  readonly ref: string;

  constructor(ref: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_CACHE_FILL', `the audio cache could not keep up with ${ref} (${reason}): the song goes on straight from ffmpeg`, { cause });
    this.ref = ref;
  }
}
