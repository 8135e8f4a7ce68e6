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

/** The download arrived but could not be written to disk (disk full, no permission): not retried. */
export class DownloadWriteError extends RelaycastError {
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_DOWNLOAD_WRITE', `could not write the downloaded audio to ${path}: ${reason}; check free space and permissions`, {
      cause,
    });
    this.path = path;
  }
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
