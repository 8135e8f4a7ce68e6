import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/relay/http/rate-limiter.js';

function limiterAt(clock: { now: number }, maxClients = 100) {
  return new RateLimiter({ perSecond: 2, burst: 3, maxClients, now: () => clock.now });
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSec: 1 });
  });

  it('refills at the sustained rate, never past the burst', () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    for (let i = 0; i < 3; i += 1) limiter.take('a');
    clock.now = 500; // one token back at 2/s
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    clock.now = 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('survives the clock stepping back', () => {
    const clock = { now: 10_000 };
    const limiter = limiterAt(clock);
    limiter.take('a');
    clock.now = 0;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSec: 1 });
  });

  it('counts each client on its own', () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    for (let i = 0; i < 3; i += 1) limiter.take('a');
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('forgets the least recently seen client past maxClients (a forgotten client starts with a full bucket)', () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock, 2);
    for (let i = 0; i < 3; i += 1) limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // forgets a
    expect(limiter.take('a').allowed).toBe(true);
  });
});
