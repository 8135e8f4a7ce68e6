import { ICECAST_SOURCE_DEFAULTS, type RetryPolicy } from './defaults.js';
import type { FailureKind } from './errors.js';

/** Up to this fraction is added to the slow delay, so many stations with one bad password spread out. */
const SLOW_JITTER = 0.25;

/**
 * Milliseconds to wait before reconnect attempt number `attempt` (1 = the first retry after a
 * failure) when the last failure was of `kind`.
 *
 * Fast kinds back off exponentially with "equal jitter": the step doubles per attempt up to the cap,
 * and the delay is uniformly drawn from the upper half of the step, so it never drops to zero (no hot
 * loop) and many sources retrying together spread out. `random` returns a number in [0, 1).
 */
export function retryDelayMs(
  attempt: number,
  kind: FailureKind,
  policy: RetryPolicy = ICECAST_SOURCE_DEFAULTS.retry,
  random: () => number = Math.random,
): number {
  const r = Math.min(Math.max(random(), 0), 1);
  switch (kind) {
    case 'auth':
    case 'rejected':
      return Math.round(policy.slowMs * (1 + SLOW_JITTER * r));
    case 'refused':
      return equalJitter(attempt, policy.refusedFirstMs, policy.refusedCapMs, r);
    case 'network':
      return equalJitter(attempt, policy.networkFirstMs, policy.networkCapMs, r);
    case 'mount-in-use':
      return equalJitter(attempt, policy.mountInUseFirstMs, policy.mountInUseCapMs, r);
  }
}

function equalJitter(attempt: number, firstMs: number, capMs: number, r: number): number {
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const step = Math.min(capMs, firstMs * 2 ** exponent);
  return Math.round(step / 2 + (step / 2) * r);
}
