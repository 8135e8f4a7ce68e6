import { backoffMs } from '../time/index.js';
import { ICECAST_SOURCE_DEFAULTS, type ReconnectPolicy } from './defaults.js';
import type { FailureKind } from './errors.js';

/** Up to this fraction is added to the slow delay, so many stations with one bad password spread out. */
const SLOW_JITTER = 0.25;

/**
 * Milliseconds to wait before reconnect attempt number `attempt` (1 = the first retry after a
 * failure) when the last failure was of `kind`.
 *
 * Fast kinds back off exponentially with equal jitter (src/time/backoff.ts); a wrong password or another
 * refusal waits the slow delay, never a hot loop.
 */
export function retryDelayMs(
  attempt: number,
  kind: FailureKind,
  policy: ReconnectPolicy = ICECAST_SOURCE_DEFAULTS.retry,
  random: () => number = Math.random,
): number {
  switch (kind) {
    case 'auth':
    case 'rejected':
      return Math.round(policy.slowMs * (1 + SLOW_JITTER * Math.min(Math.max(random(), 0), 1)));
    case 'refused':
      return backoffMs({ firstDelayMs: policy.refusedFirstMs, capDelayMs: policy.refusedCapMs }, attempt, random);
    case 'network':
      return backoffMs({ firstDelayMs: policy.networkFirstMs, capDelayMs: policy.networkCapMs }, attempt, random);
    case 'mount-in-use':
      return backoffMs({ firstDelayMs: policy.mountInUseFirstMs, capDelayMs: policy.mountInUseCapMs }, attempt, random);
  }
}
