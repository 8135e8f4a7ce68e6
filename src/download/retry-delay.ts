import { backoffMs } from '../backoff.js';
import { DOWNLOAD_DEFAULTS, type DownloadLimits } from './defaults.js';
import { DownloadDeadlineError, DownloadError } from './errors.js';

export type DownloadRetryPolicy = Pick<DownloadLimits, 'retries' | 'retryFirstDelayMs' | 'retryCapDelayMs'>;

/**
 * Milliseconds to wait before trying again after attempt number `attempt` (1 = the first try) failed
 * with `error`, or undefined when it must not be tried again: the retries are used up, or the error is
 * not a retryable DownloadError (a 4xx, an expired URL, a file too large, a full disk), or the time for all
 * attempts together has run out.
 *
 * Backoff with equal jitter (src/backoff.ts), as for the Icecast connection.
 */
export function downloadRetryDelayMs(
  attempt: number,
  error: unknown,
  policy: DownloadRetryPolicy = DOWNLOAD_DEFAULTS,
  random: () => number = Math.random,
): number | undefined {
  if (!(error instanceof DownloadError)) return undefined;
  if (error instanceof DownloadDeadlineError && error.deadline === 'all-attempts') return undefined;
  if (!(attempt >= 1) || attempt > policy.retries) return undefined;
  return backoffMs(attempt, policy.retryFirstDelayMs, policy.retryCapDelayMs, random);
}
