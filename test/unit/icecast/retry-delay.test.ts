import { describe, expect, it } from 'vitest';
import { ICECAST_SOURCE_DEFAULTS, retryDelayMs, type FailureKind } from '../../../src/icecast/index.js';

const LOW = (): number => 0;
const HIGH = (): number => 0.999_999;
const FAST_KINDS: FailureKind[] = ['refused', 'network', 'mount-in-use'];

describe('retryDelayMs', () => {
  it('retries a refused or lost connection within 250 ms the first time', () => {
    for (const kind of ['refused', 'network'] as const) {
      expect(retryDelayMs(1, kind, undefined, HIGH)).toBeLessThanOrEqual(250);
      expect(retryDelayMs(1, kind, undefined, LOW)).toBeGreaterThan(0);
    }
  });

  it('caps a refused connection at 0.5 s and other network failures at 2 s, however many attempts', () => {
    for (const attempt of [5, 10, 100, 10_000, Number.MAX_SAFE_INTEGER]) {
      expect(retryDelayMs(attempt, 'refused', undefined, HIGH)).toBeLessThanOrEqual(500);
      expect(retryDelayMs(attempt, 'network', undefined, HIGH)).toBeLessThanOrEqual(2_000);
      expect(retryDelayMs(attempt, 'mount-in-use', undefined, HIGH)).toBeLessThanOrEqual(5_000);
    }
  });

  it('doubles the step per attempt until the cap, for every fast kind', () => {
    const policy = ICECAST_SOURCE_DEFAULTS.retry;
    const shape = { refused: [policy.refusedFirstMs, policy.refusedCapMs], network: [policy.networkFirstMs, policy.networkCapMs] };
    const all = { ...shape, 'mount-in-use': [policy.mountInUseFirstMs, policy.mountInUseCapMs] } as Record<string, number[]>;
    for (const kind of FAST_KINDS) {
      const [first, cap] = all[kind]!;
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        expect(retryDelayMs(attempt, kind, policy, HIGH)).toBe(Math.min(cap!, first! * 2 ** (attempt - 1)));
      }
    }
  });

  it('keeps jitter within the upper half of the step: never zero, never above the step', () => {
    const policy = ICECAST_SOURCE_DEFAULTS.retry;
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const step = Math.min(policy.networkCapMs, policy.networkFirstMs * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
        const delay = retryDelayMs(attempt, 'network', policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThanOrEqual(step);
      }
    }
  });

  it('spreads sources that fail together: different random draws give different delays', () => {
    const delays = new Set([0.1, 0.3, 0.5, 0.7, 0.9].map((r) => retryDelayMs(6, 'network', undefined, () => r)));
    expect(delays.size).toBe(5);
  });

  it('waits at least 10 s after a wrong password or another refusal, by default, whatever the attempt', () => {
    expect(ICECAST_SOURCE_DEFAULTS.retry.slowMs).toBeGreaterThanOrEqual(10_000);
    for (const kind of ['auth', 'rejected'] as const) {
      for (const attempt of [1, 2, 50]) {
        expect(retryDelayMs(attempt, kind, undefined, LOW)).toBeGreaterThanOrEqual(10_000);
        expect(retryDelayMs(attempt, kind, undefined, HIGH)).toBeLessThanOrEqual(ICECAST_SOURCE_DEFAULTS.retry.slowMs * 1.25);
      }
    }
  });

  it('treats attempt 0 or negative like the first retry, and clamps a random source outside [0, 1)', () => {
    expect(retryDelayMs(0, 'network', undefined, LOW)).toBe(retryDelayMs(1, 'network', undefined, LOW));
    expect(retryDelayMs(-3, 'network', undefined, LOW)).toBe(retryDelayMs(1, 'network', undefined, LOW));
    expect(retryDelayMs(1, 'network', undefined, () => 7)).toBeLessThanOrEqual(ICECAST_SOURCE_DEFAULTS.retry.networkFirstMs);
    expect(retryDelayMs(1, 'network', undefined, () => -1)).toBeGreaterThan(0);
  });

  it('uses the policy it is given (tests shorten the slow path)', () => {
    const policy = { ...ICECAST_SOURCE_DEFAULTS.retry, slowMs: 1_000 };
    expect(retryDelayMs(1, 'auth', policy, LOW)).toBe(1_000);
  });
});
