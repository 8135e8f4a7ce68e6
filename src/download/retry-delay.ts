import { DOWNLOAD_DEFAULTS, type DownloadLimits } from './defaults.js';
import { DownloadError } from './errors.js';

export type DownloadRetryPolicy = Pick<DownloadLimits, 'retries' | 'retryFirstDelayMs' | 'retryCapDelayMs'>;

/**
 * Milliseconds to wait before trying again after attempt number `attempt` (1 = the first try) failed
 * with `error`, or undefined when it must not be tried again: the retries are used up, or the error is
 * not a retryable DownloadError (a 4xx, an expired URL, a file too large, a full disk).
 *
 * "Equal jitter" as for the Icecast connection: the step doubles per attempt up to the cap and the delay
 * is drawn from the step's upper half, so it is never zero and many workers failing together spread out.
 * `random` returns a number in [0, 1).
 */
export function downloadRetryDelayMs(
  attempt: number,
  error: unknown,
  policy: DownloadRetryPolicy = DOWNLOAD_DEFAULTS,
  random: () => number = Math.random,
): number | undefined {
  if (!(error instanceof DownloadError)) return undefined;
  if (!(attempt >= 1) || attempt > policy.retries) return undefined;
  const exponent = Math.min(Math.floor(attempt) - 1, 30);
  const step = Math.min(policy.retryCapDelayMs, policy.retryFirstDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}
