import { delayBeforeRetry, type RetryPolicy } from '../time/index.js';

/** How the relay client retries by default: three tries, the first retry after 100-200 ms. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, firstDelayMs: 200, capDelayMs: 2_000 });

/** What went wrong with one attempt. */
export type AttemptFailure =
  | { readonly kind: 'network' }
  | { readonly kind: 'status'; readonly status: number; readonly retryable?: boolean };

/** Network errors, timeouts and 5xx are worth another try; 4xx (422 included) are answers. */
export function isRetryable(failure: AttemptFailure): boolean {
  if (failure.kind === 'network') return true;
  return failure.status >= 500 && failure.retryable !== false;
}

/**
 * Milliseconds to wait before the next attempt after `attempt` (1-based) failed, or 'give-up'.
 * Exponential, capped, with equal jitter (src/time/backoff.ts) so clients that failed together do not retry together.
 */
export function retryDelayMs(
  attempt: number,
  failure: AttemptFailure,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | 'give-up' {
  if (!isRetryable(failure)) return 'give-up';
  return delayBeforeRetry(policy, attempt, random);
}
