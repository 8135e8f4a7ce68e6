import { describeCondition, diskCondition } from '../disk-condition.js';
import { RelaycastError } from '../errors.js';

/**
 * What every download failure tells about where it happened. `url` is already redacted (no query
 * string: music CDNs sign their URLs there), so these errors are safe to log whole.
 */
interface DownloadContext {
  url: string;
  status?: number;
  cause?: unknown;
}

/**
 * A failure that may well not happen again: a network error, a timeout, a 5xx, a truncated body.
 * downloadToFile already retried it a couple of times; the caller may try later or skip the song.
 */
export class DownloadError extends RelaycastError {
  readonly url: string;
  /** The HTTP status, when the server answered at all. */
  readonly status: number | undefined;
  readonly retryable = true;

  constructor(message: string, context: DownloadContext) {
    super('ERR_DOWNLOAD', message, { cause: context.cause });
    this.url = context.url;
    this.status = context.status;
  }
}

/** 403 or 410: signed CDN URLs expire. The caller resolves the song again (once) and downloads the new URL. */
export class AudioUrlExpiredError extends RelaycastError {
  readonly url: string;
  readonly status: number;

  constructor(url: string, status: number) {
    super(
      'ERR_AUDIO_URL_EXPIRED',
      `the audio server refused ${url} (${status}): the signed URL has probably expired; resolve the song again`,
    );
    this.url = url;
    this.status = status;
  }
}

/**
 * 404 and the other refusals that will not change by asking again: the song cannot be played from
 * this source. The caller skips it (and may remember that for a while).
 */
export class AudioUnavailableError extends RelaycastError {
  readonly url: string;
  readonly status: number | undefined;

  constructor(message: string, context: DownloadContext, code = 'ERR_AUDIO_UNAVAILABLE') {
    super(code, message, { cause: context.cause });
    this.url = context.url;
    this.status = context.status;
  }
}

/** The file is bigger than the download limit: not a song, so it is unavailable like a 404. */
export class AudioTooLargeError extends AudioUnavailableError {
  readonly maxBytes: number;

  /**
   * `bytes` is what the server announced (Content-Length) when `announced`, otherwise how many bytes
   * had arrived when the download was stopped.
   */
  constructor(url: string, maxBytes: number, bytes: number, announced: boolean) {
    const size = announced ? `is ${bytes} bytes (Content-Length)` : `was still sending after ${bytes} bytes`;
    super(`the audio at ${url} ${size}, over the ${describeBytes(maxBytes)} download limit: skipping the song`, { url }, 'ERR_AUDIO_TOO_LARGE');
    this.maxBytes = maxBytes;
  }
}

/** Which bound of a download tripped (see DownloadLimits). */
export type DownloadDeadline = 'connect' | 'first-byte' | 'idle' | 'min-rate' | 'size-at-min-rate' | 'all-attempts';

/** What was measured when a deadline tripped. */
export interface DeadlineMeasure {
  readonly deadline: DownloadDeadline;
  /** The bound that tripped, in ms. */
  readonly limitMs: number;
  /** Body bytes received in the attempt. */
  readonly bytes: number;
  /** Since the attempt started. */
  readonly elapsedMs: number;
  /** Mean rate of the body since its first byte; 0 when no byte came. */
  readonly bytesPerSecond: number;
  readonly minBytesPerSecond: number;
  /** Content-Length, when the server announced one. */
  readonly size?: number | undefined;
}

/**
 * The audio server was too slow: no connection, no first byte, a stall, a rate under the minimum, or all
 * attempts together over their limit. Retryable like any network failure (the source may recover), but
 * never a wait without end: `deadline` names the bound, and the message the measured rate.
 */
export class DownloadDeadlineError extends DownloadError {
  readonly deadline: DownloadDeadline;
  readonly limitMs: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly bytesPerSecond: number;

  constructor(url: string, measure: DeadlineMeasure, cause?: unknown) {
    super(describeDeadline(url, measure), { url, cause });
    this.deadline = measure.deadline;
    this.limitMs = measure.limitMs;
    this.bytes = measure.bytes;
    this.elapsedMs = measure.elapsedMs;
    this.bytesPerSecond = measure.bytesPerSecond;
  }
}

function describeDeadline(url: string, m: DeadlineMeasure): string {
  const received = `${m.bytes} bytes in ${m.elapsedMs} ms (${m.bytesPerSecond} B/s)`;
  const minimum = `the minimum ${m.minBytesPerSecond} B/s`;
  switch (m.deadline) {
    case 'connect':
      return `could not connect to the audio server of ${url} within the ${m.limitMs} ms connect deadline`;
    case 'first-byte':
      return `the audio server of ${url} sent no audio within the ${m.limitMs} ms first-byte deadline`;
    case 'idle':
      return `download of ${url} stalled: no data for the ${m.limitMs} ms idle deadline, after ${received}`;
    case 'min-rate':
      return `download of ${url} is too slow: ${received}, under ${minimum}`;
    case 'size-at-min-rate':
      return `download of ${url} is too slow: ${received} of ${String(m.size)}, past the ${m.limitMs} ms its size allows at ${minimum}`;
    case 'all-attempts':
      return `download of ${url} gave up at the ${m.limitMs} ms limit for all its attempts together (last attempt: ${received})`;
  }
}

/**
 * The download could not be written to disk (full, read-only, no permission): a fault of this host, not
 * of the network or the song. Never retried: asking the server again fills the same disk.
 */
export class DownloadWriteError extends RelaycastError {
  readonly path: string;
  /** The file system's error code (ENOSPC, EROFS, ...), when it gave one. */
  readonly errno: string | undefined;

  constructor(path: string, cause: unknown) {
    const errno = diskCondition(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const condition = errno ? ` (${describeCondition(errno)})` : '';
    const hint = 'check free space and permissions there, or point CACHE_DIR at another disk';
    super('ERR_DOWNLOAD_WRITE', `could not write the downloaded audio to ${path}: ${reason}${condition}; ${hint}`, { cause });
    this.path = path;
    this.errno = errno;
  }
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
