import { backoffMs } from '../backoff.js';

/** How the relay client retries; every default here, documented. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time. */
  readonly baseDelayMs: number;
  /** Cap on one delay. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 });

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
 * Milliseconds to wait before the next attempt after `attempt` (1-based) failed, or null to give up.
 * Exponential, capped, with equal jitter (src/backoff.ts) so clients that failed together do not retry together.
 */
export function retryDelayMs(
  attempt: number,
  failure: AttemptFailure,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | null {
  if (!isRetryable(failure) || attempt >= policy.attempts) return null;
  return backoffMs(attempt, policy.baseDelayMs, policy.maxDelayMs, random);
}
