import { setTimeout as sleep } from 'node:timers/promises';
import { delayBeforeRetry, type Backoff, type WallClock } from '../../time/index.js';

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
  let result = await attempt();
  for (let tried = 1; isRetryable(result); tried += 1) {
    const delay = delayBeforeRetry(policy, tried, options.random);
    if (delay === 'give-up' || options.now() + delay >= options.deadlineAt) break;
    await sleep(delay);
    result = await attempt();
  }
  return result;
}
