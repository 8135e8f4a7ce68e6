import { describe, expect, it } from 'vitest';
import { failed, ok, type Result } from '../../../src/result.js';
import { retry, type RetryLoop } from '../../../src/time/retry.js';

/** A loop on a hand-driven clock: sleeping moves the time on; `outcomes` answer the tries in order. */
function loopOf(outcomes: Result<string, string>[], overrides: Partial<RetryLoop<string, string>> = {}) {
  let time = 0;
  const sleeps: number[] = [];
  const retried: string[] = [];
  const loop: RetryLoop<string, string> = {
    attempt: async (tries) => outcomes[tries - 1] ?? failed('no more outcomes'),
    delayAfter: (_failure, tries) => (tries < 5 ? 100 * tries : 'give-up'),
    deadlineAt: 10_000,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    beforeRetry: (failure, tries, delayMs) => retried.push(`${failure}@${tries}+${delayMs}`),
    ...overrides,
  };
  return { loop, sleeps, retried };
}

describe('retry', () => {
  it('returns the first value, without waiting when the first try works', async () => {
    const { loop, sleeps } = loopOf([ok('song')]);
    expect(await retry(loop)).toEqual(ok('song'));
    expect(sleeps).toEqual([]);
  });

  it('waits what delayAfter says between tries, and tells beforeRetry first', async () => {
    const { loop, sleeps, retried } = loopOf([failed('a'), failed('b'), ok('song')]);
    expect(await retry(loop)).toEqual(ok('song'));
    expect(sleeps).toEqual([100, 200]);
    expect(retried).toEqual(['a@1+100', 'b@2+200']);
  });

  it('gives the last failure when delayAfter gives up', async () => {
    const { loop, sleeps } = loopOf([failed('a'), failed('b')], { delayAfter: (failure) => (failure === 'b' ? 'give-up' : 50) });
    expect(await retry(loop)).toEqual(failed({ last: 'b', tries: 2, by: 'give-up' }));
    expect(sleeps).toEqual([50]);
  });

  it('makes no retry whose wait would end at or past the deadline', async () => {
    const { loop, sleeps } = loopOf([failed('a'), failed('b'), failed('c')], { deadlineAt: 300 });
    // After the first wait (100) the second (200) would end at 300, the deadline.
    expect(await retry(loop)).toEqual(failed({ last: 'b', tries: 2, by: 'deadline' }));
    expect(sleeps).toEqual([100]);
  });

  it('reports the deadline rather than giving up once the time is up', async () => {
    const { loop } = loopOf([failed('a')], { deadlineAt: 0, delayAfter: () => 'give-up' });
    expect(await retry(loop)).toEqual(failed({ last: 'a', tries: 1, by: 'deadline' }));
  });

  it('lets what a try throws end the loop', async () => {
    const { loop } = loopOf([], {
      attempt: async () => {
        throw new Error('not worth retrying');
      },
    });
    await expect(retry(loop)).rejects.toThrow('not worth retrying');
  });
});
