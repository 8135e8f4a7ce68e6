import { setTimeout as sleep } from 'node:timers/promises';
import { failed, ok } from '../../result.js';
import { delayBeforeRetry, retry, type Backoff, type WallClock } from '../../time/index.js';

/** Upstream retries are quick: a whole lookup, retries included, has a budget of a few seconds. */
export const UPSTREAM_BACKOFF: Backoff = Object.freeze({ firstDelayMs: 150, capDelayMs: 1_000 });

export interface RetryOptions {
  /** Total tries, the first one included. */
  attempts: number;
  deadlineAt: number;
  now: WallClock;
  random: () => number;
}

/**
 * Runs `attempt` until it gives a result that is not a retryable failure, the tries are used up, or the
 * next delay would not fit before the deadline. Returns the last result either way.
 */
export async function retryWhileRetryable<T>(
  options: RetryOptions,
  isRetryable: (result: T) => boolean,
  attempt: () => Promise<T>,
): Promise<T> {
  const policy = { ...UPSTREAM_BACKOFF, attempts: options.attempts };
  const end = await retry({
    attempt: async () => {
      const result = await attempt();
      return isRetryable(result) ? failed(result) : ok(result);
    },
    delayAfter: (_result, tries) => delayBeforeRetry(policy, tries, options.random),
    deadlineAt: options.deadlineAt,
    now: options.now,
    sleep: (ms) => sleep(ms),
  });
  return end.ok ? end.value : end.failure.last;
}
