import { failed, type Result } from '../result.js';

export interface RetryLoop<T, F> {
  /** One try (`tries` counts it, 1 = the first). A failure it returns may be retried; what it throws ends the loop. */
  readonly attempt: (tries: number) => Promise<Result<T, F>>;
  /** Milliseconds to wait before the next try after `tries` tries, the last failing with `failure`; or 'give-up'. */
  readonly delayAfter: (failure: F, tries: number) => number | 'give-up';
  /** No try starts at or after this time, on `now()`'s scale. */
  readonly deadlineAt: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Called just before each wait, when a retry is coming. */
  readonly beforeRetry?: (failure: F, tries: number, delayMs: number) => void;
}

/** Why a retry loop ended without a value: its last failure, after how many tries, and what stopped it. */
export interface Stopped<F> {
  readonly last: F;
  readonly tries: number;
  /** 'deadline' when the time was up, even if `delayAfter` also gave up: callers report running out of time first. */
  readonly by: 'give-up' | 'deadline';
}

/**
 * Tries until a try works, `delayAfter` gives up, or the wait before a retry would end at or past the
 * deadline: a retry that could not even start in time is not made, so the last failure is the answer.
 */
export async function retry<T, F>(loop: RetryLoop<T, F>): Promise<Result<T, Stopped<F>>> {
  for (let tries = 1; ; tries += 1) {
    const outcome = await loop.attempt(tries);
    if (outcome.ok) return outcome;
    const delay = loop.delayAfter(outcome.failure, tries);
    if (loop.now() + (delay === 'give-up' ? 0 : delay) >= loop.deadlineAt) return failed({ last: outcome.failure, tries, by: 'deadline' });
    if (delay === 'give-up') return failed({ last: outcome.failure, tries, by: 'give-up' });
    loop.beforeRetry?.(outcome.failure, tries, delay);
    await loop.sleep(delay);
  }
}
