import { delayBeforeRetry } from '../time/index.js';
import { DOWNLOAD_DEFAULTS, type DownloadLimits } from './defaults.js';
import { DownloadDeadlineError, DownloadError } from './errors.js';

/**
 * Milliseconds to wait before trying again after attempt number `attempt` (1 = the first try) failed
 * with `error`, or 'give-up' when it must not be tried again: the retries are used up, or the error is
 * not a retryable DownloadError (a 4xx, an expired URL, a file too large, a full disk), or the time for all
 * attempts together has run out.
 *
 * Backoff with equal jitter (src/time/backoff.ts), as for the Icecast connection.
 */
export function downloadRetryDelayMs(
  attempt: number,
  error: unknown,
  limits: Pick<DownloadLimits, 'retries' | 'retryFirstDelayMs' | 'retryCapDelayMs'> = DOWNLOAD_DEFAULTS,
  random: () => number = Math.random,
): number | 'give-up' {
  if (!(error instanceof DownloadError)) return 'give-up';
  if (error instanceof DownloadDeadlineError && error.deadline === 'all-attempts') return 'give-up';
  const policy = { attempts: limits.retries + 1, firstDelayMs: limits.retryFirstDelayMs, capDelayMs: limits.retryCapDelayMs };
  return delayBeforeRetry(policy, attempt, random);
}
