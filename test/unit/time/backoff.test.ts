import { describe, expect, it } from 'vitest';
import { backoffMs, delayBeforeRetry } from '../../../src/time/backoff.js';

const policy = { attempts: 3, firstDelayMs: 100, capDelayMs: 300 };

describe('backoffMs', () => {
  it('doubles the step per retry up to the cap, drawing the delay from the upper half of the step', () => {
    expect([1, 2, 3, 4].map((retry) => backoffMs(policy, retry, () => 0.999_999))).toEqual([100, 200, 300, 300]);
    expect([1, 2, 3, 4].map((retry) => backoffMs(policy, retry, () => 0))).toEqual([50, 100, 150, 150]);
  });

  it('treats retry 0 or below like the first retry, and clamps a random source outside [0, 1)', () => {
    expect(backoffMs(policy, 0, () => 0)).toBe(50);
    expect(backoffMs(policy, -2, () => 7)).toBe(100);
  });
});

describe('delayBeforeRetry', () => {
  it('waits between tries until the attempts are used up, then gives up', () => {
    expect([1, 2, 3].map((tries) => delayBeforeRetry(policy, tries, () => 0))).toEqual([50, 100, 'give-up']);
  });

  it('gives up at once on a policy of one attempt, and on a count that is not a number', () => {
    expect(delayBeforeRetry({ ...policy, attempts: 1 }, 1)).toBe('give-up');
    expect(delayBeforeRetry(policy, Number.NaN)).toBe('give-up');
  });
});
