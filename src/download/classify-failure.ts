import { HTTPError, MaxRedirectsError, RequestError, TimeoutError } from 'got';
import { RelaycastError } from '../errors.js';
import type { DownloadLimits } from './defaults.js';
import { AudioUnavailableError, AudioUrlExpiredError, DownloadDeadlineError, DownloadError } from './errors.js';

/** 403: the signature in the query string expired; 410: the CDN says the same in other words. */
const EXPIRED_STATUSES = new Set([403, 410]);
/**
 * 4xx answers that do not describe the file, only the moment: a timeout (408) and rate limiting (429).
 * They are retried like a 5xx rather than skipping a song that is fine.
 */
const TRANSIENT_CLIENT_STATUSES = new Set([408, 429]);

/**
 * Turns whatever a download attempt threw into one of the download errors. `url` is already redacted;
 * got's own error never becomes a `cause` because it holds the request options, signed URL included, and
 * a logger would print them: a plain error with its message and code stands in for it.
 */
export function classifyFailure(error: unknown, url: string, limits: DownloadLimits): RelaycastError {
  if (error instanceof RelaycastError) return error;
  if (error instanceof HTTPError) return fromStatus(error.response.statusCode, error.response.statusMessage ?? '', url);
  if (error instanceof TimeoutError) return fromTimeout(error, url, limits);
  if (error instanceof MaxRedirectsError) {
    return new AudioUnavailableError(`the audio server at ${url} redirects in a loop: skipping the song`, {
      url,
      cause: withoutRequest(error),
    });
  }
  if (error instanceof RequestError) {
    return new DownloadError(`download of ${url} failed: ${error.message}`, { url, cause: withoutRequest(error) });
  }
  return new DownloadError(`download of ${url} failed: ${error instanceof Error ? error.message : String(error)}`, {
    url,
    cause: error,
  });
}

function fromStatus(status: number, statusMessage: string, url: string): RelaycastError {
  const answer = `${status}${statusMessage ? ` ${statusMessage}` : ''}`;
  if (EXPIRED_STATUSES.has(status)) return new AudioUrlExpiredError(url, status);
  if (status >= 500 || TRANSIENT_CLIENT_STATUSES.has(status)) {
    return new DownloadError(`the audio server answered ${answer} for ${url}`, { url, status });
  }
  if (status === 404) {
    return new AudioUnavailableError(`no audio at ${url} (404 Not Found): the source no longer has this song; skipping it`, {
      url,
      status,
    });
  }
  return new AudioUnavailableError(`the audio server refused ${url} (${answer}): skipping the song`, { url, status });
}

/** got enforces only the connect deadline (see requestOptions); the others are the TransferWatchdog's. */
function fromTimeout(error: TimeoutError, url: string, limits: DownloadLimits): DownloadError {
  const cause = withoutRequest(error);
  if (error.event !== 'lookup' && error.event !== 'connect' && error.event !== 'secureConnect') {
    return new DownloadError(`download of ${url} timed out (${error.event})`, { url, cause });
  }
  const startedAt = error.timings?.start;
  return new DownloadDeadlineError(
    url,
    {
      deadline: 'connect',
      limitMs: limits.connectTimeoutMs,
      bytes: 0,
      elapsedMs: startedAt === undefined ? limits.connectTimeoutMs : Date.now() - startedAt,
      bytesPerSecond: 0,
      minBytesPerSecond: limits.minBytesPerSecond,
    },
    cause,
  );
}

/** got's message and code, without the request options (and so without the signed URL) that got attaches. */
function withoutRequest(error: RequestError): Error {
  const plain = new Error(error.message) as Error & { code?: string };
  plain.name = error.name;
  plain.code = error.code;
  return plain;
}
