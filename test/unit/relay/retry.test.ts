import { describe, expect, it } from 'vitest';
import { UPSTREAM_BACKOFF, retryWhileRetryable } from '../../../src/relay/upstream/retry.js';
import { backoffMs } from '../../../src/time/backoff.js';

describe('UPSTREAM_BACKOFF', () => {
  it('doubles from 150 ms, caps at 1 s and draws each delay from the upper half of its step', () => {
    expect([1, 2, 3, 4, 5, 10].map((retry) => backoffMs(UPSTREAM_BACKOFF, retry, () => 0.999_999))).toEqual([150, 300, 600, 1000, 1000, 1000]);
    expect(backoffMs(UPSTREAM_BACKOFF, 1, () => 0)).toBe(75);
    expect(backoffMs(UPSTREAM_BACKOFF, 4, () => 0)).toBe(500);
  });
});

describe('retryWhileRetryable', () => {
  const options = (deadlineInMs: number) => ({ attempts: 3, deadlineAt: Date.now() + deadlineInMs, now: Date.now, random: () => 0 });

  it('stops at the first result that is not retryable', async () => {
    const results = ['retry', 'done', 'retry'];
    let calls = 0;
    const result = await retryWhileRetryable(options(5000), (r) => r === 'retry', async () => results[calls++]);
    expect(result).toBe('done');
    expect(calls).toBe(2);
  });

  it('gives the last result after the attempts are used up', async () => {
    let calls = 0;
    const result = await retryWhileRetryable(options(5000), () => true, async () => ++calls);
    expect(result).toBe(3);
  });

  it('does not wait past the deadline', async () => {
    let calls = 0;
    const result = await retryWhileRetryable(options(10), () => true, async () => ++calls);
    expect(result).toBe(1);
  });
});
