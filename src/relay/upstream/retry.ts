import { setTimeout as sleep } from 'node:timers/promises';

/** Delay before retry number `attempt` (1 = first retry): 150 ms doubling, capped at 1 s, with ±50 % jitter. */
export function retryDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(1000, 150 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random()));
}

export interface RetryOptions {
  /** Total tries, the first one included. */
  attempts: number;
  deadlineAt: number;
  now: () => number;
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
  let result = await attempt();
  for (let tried = 1; tried < options.attempts && isRetryable(result); tried += 1) {
    const delay = retryDelayMs(tried, options.random);
    if (options.now() + delay >= options.deadlineAt) break;
    await sleep(delay);
    result = await attempt();
  }
  return result;
}
