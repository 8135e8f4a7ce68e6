import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { got } from 'got';
import { describeError } from '../errors.js';
import { redactUrl, type Logger } from '../log/index.js';
import { settle } from '../result.js';
import { retry } from '../time/index.js';
import { describeUnknownOptions, rejectUnknownOptions } from '../unknown-options.js';
import { ByteLimit } from './byte-limit.js';
import { classifyFailure } from './classify-failure.js';
import { resolveDownloadLimits, type DownloadLimits } from './defaults.js';
import { AudioTooLargeError, AudioUnavailableError, DownloadError, DownloadWriteError } from './errors.js';
import { downloadRetryDelayMs } from './retry-delay.js';
import { TransferWatchdog } from './transfer-watchdog.js';

const OPTION_KEYS = new Set(['url', 'dest', 'signal', 'logger', 'limits']);

/** got follows this many redirects (CDNs redirect once or twice to an edge); more is a loop. */
const MAX_REDIRECTS = 5;

export interface DownloadOptions {
  /** http(s) URL of the audio; its query string (signed keys) never reaches a log line or an error. */
  url: string;
  /** Where the file ends up. It appears there complete or not at all. */
  dest: string;
  /** Aborting stops the download (and any wait before a retry) and rejects with the signal's AbortError. */
  signal?: AbortSignal;
  logger: Logger;
  /** Overrides of DOWNLOAD_DEFAULTS (deadlines, minimum rate, size, retries); tests shorten the deadlines. */
  limits?: Partial<DownloadLimits>;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Wall time of the successful attempt. */
  durationMs: number;
  /** 1 when the first try succeeded. */
  attempts: number;
}

/**
 * Downloads `url` to `dest`: streamed with backpressure into a temp file next to `dest`, renamed into
 * place once complete, so `dest` never holds a partial file and no temp file outlives a failure.
 * Network errors, missed deadlines and 5xx are retried a couple of times; 4xx answers are not. Every wait is
 * bounded (see DownloadLimits): connect, first byte, idle, minimum rate, and all attempts together.
 *
 * Rejects with AudioUrlExpiredError (403/410: resolve the song again), AudioUnavailableError (404 and other
 * 4xx, or too large: skip the song), DownloadError (still failing after the retries; DownloadDeadlineError
 * when too slow) or DownloadWriteError (the disk refused the file: not retried).
 */
export async function downloadToFile(options: DownloadOptions): Promise<DownloadResult> {
  rejectUnknownOptions(options, OPTION_KEYS, (unknown) => new TypeError(`downloadToFile: ${describeUnknownOptions(unknown)}`));
  const limits = resolveDownloadLimits(options.limits);
  options.signal?.throwIfAborted();
  const url = redactUrl(options.url);
  if (!/^https?:$/.test(safeProtocol(options.url))) {
    throw new AudioUnavailableError(`cannot download ${url}: only http and https URLs are supported`, { url });
  }
  const allAttemptsEndAt = performance.now() + limits.allAttemptsTimeoutMs;
  const end = await retry<DownloadResult, unknown>({
    attempt: (attempt) =>
      settle(async () => {
        const result = await downloadOnce(options, url, limits, allAttemptsEndAt);
        logSpeed(options.logger, url, result.bytes, result.durationMs, attempt);
        return { ...result, attempts: attempt };
      }),
    // An abort is the caller's decision, not a failure worth another try.
    delayAfter: (error, attempt) => (options.signal?.aborted ? 'give-up' : downloadRetryDelayMs(attempt, error, limits)),
    deadlineAt: allAttemptsEndAt,
    now: () => performance.now(),
    sleep: (ms) => sleep(ms, undefined, options.signal ? { signal: options.signal } : undefined),
    beforeRetry: (error, attempt, delayMs) => options.logger.warn({ url, attempt, delayMs, err: describeError(error) }, 'download failed: retrying'),
  });
  if (!end.ok) throw end.failure.last;
  return end.value;
}

async function downloadOnce(
  options: DownloadOptions,
  url: string,
  limits: DownloadLimits,
  allAttemptsEndAt: number,
): Promise<Omit<DownloadResult, 'attempts'>> {
  // Same directory as dest, so the final rename is atomic (one file system).
  const temp = `${options.dest}.${randomBytes(6).toString('hex')}.part`;
  const started = performance.now();
  let file: FileHandle | undefined;
  let request: ReturnType<typeof got.stream> | undefined;
  let announced: number | undefined;
  // The first failure we detect ourselves (a deadline, a size, the disk), kept as it is: got wraps an error
  // given to destroy() in its own RequestError, and pipeline() reports whichever stream failed first.
  let refusal: Error | undefined;
  const stop = (error: Error): void => {
    refusal ??= error;
    request?.destroy(error);
  };
  const watchdog = new TransferWatchdog({ url, limits, allAttemptsEndAt, onTrip: stop });
  const limit = new ByteLimit(limits.maxBytes, (bytes) => new AudioTooLargeError(url, limits.maxBytes, bytes, false));
  try {
    // The file first: the request must not start before pipeline() listens for its errors, or an early
    // error answer would be emitted with no listener and crash the process.
    file = await open(temp, 'wx').catch((error: unknown) => {
      throw new DownloadWriteError(temp, error);
    });
    const sink = file.createWriteStream();
    // The sink also errors when pipeline() tears it down for another stream's failure: only an error of a
    // file system call (it names its syscall: write, close...) is the disk's.
    sink.once('error', (error: NodeJS.ErrnoException) => {
      if (error.syscall !== undefined) stop(new DownloadWriteError(temp, error));
    });
    // A deadline may pass while a busy disk opens the file; then there is no request to stop, so none starts.
    if (refusal) throw refusal;
    request = got.stream(options.url, requestOptions(limits));
    const stream = request;
    stream.once('response', (response: IncomingMessage) => {
      announced = contentLength(response);
      watchdog.announce(announced);
      if (announced !== undefined && announced > limits.maxBytes) stop(new AudioTooLargeError(url, limits.maxBytes, announced, true));
    });
    stream.on('downloadProgress', (progress: { transferred: number }) => watchdog.received(progress.transferred));
    await pipeline(request, limit, sink, options.signal ? { signal: options.signal } : {});
    if (announced !== undefined && limit.bytes !== announced) {
      throw new DownloadError(`download of ${url} ended after ${limit.bytes} of ${announced} bytes`, { url });
    }
    await rename(temp, options.dest).catch((error: unknown) => {
      throw new DownloadWriteError(options.dest, error);
    });
  } catch (error) {
    request?.destroy();
    await file?.close().catch(() => undefined); // usually closed already by its write stream
    // A disk that refused the file may refuse this too: the download's own failure is the one to report.
    await rm(temp, { force: true }).catch(() => undefined);
    if (options.signal?.aborted) throw error;
    throw classifyFailure(refusal ?? error, url, limits);
  } finally {
    watchdog.stop();
  }
  return { path: options.dest, bytes: limit.bytes, durationMs: performance.now() - started };
}

function requestOptions(limits: DownloadLimits) {
  return {
    timeout: {
      lookup: limits.connectTimeoutMs,
      connect: limits.connectTimeoutMs,
      secureConnect: limits.connectTimeoutMs,
      // The other deadlines (first byte, idle, minimum rate) are the TransferWatchdog's.
    },
    retry: { limit: 0 }, // retries are ours (downloadToFile), so the policy is one pure, tested function
    // Without decompression got asks for no encoding, so the bytes on disk are the file and Content-Length counts them.
    decompress: false,
    followRedirect: true,
    maxRedirects: MAX_REDIRECTS,
  };
}

function contentLength(response: IncomingMessage): number | undefined {
  const header = response.headers['content-length'];
  const value = header === undefined ? NaN : Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

function logSpeed(logger: Logger, url: string, bytes: number, durationMs: number, attempts: number): void {
  const bytesPerSecond = durationMs > 0 ? Math.round((bytes * 1000) / durationMs) : bytes;
  logger.debug({ url, bytes, durationMs: Math.round(durationMs), bytesPerSecond, attempts }, 'download finished');
}
