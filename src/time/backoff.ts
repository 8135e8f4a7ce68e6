/** How long to wait between tries: the first retry waits up to `firstDelayMs`, each next one up to twice as long, up to `capDelayMs`. */
export interface Backoff {
  readonly firstDelayMs: number;
  readonly capDelayMs: number;
}

/** How a client retries: its backoff, and how many tries it makes in all (the first included) before it gives up. */
export interface RetryPolicy extends Backoff {
  readonly attempts: number;
}

/**
 * Exponential backoff with "equal jitter", the one retry shape every client here uses: the step doubles
 * per retry (1 = the first retry) up to the cap, and the delay is drawn uniformly from the step's upper
 * half, so it never drops to zero (no hot loop) and many clients failing together spread out.
 * `random` returns a number in [0, 1).
 */
export function backoffMs(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(Math.floor(retry), 1) - 1, 30);
  const step = Math.min(backoff.capDelayMs, backoff.firstDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}

/**
 * Milliseconds to wait before trying again once `tries` tries have failed (1 = the first try), or
 * 'give-up' when the policy's attempts are used up.
 */
export function delayBeforeRetry(policy: RetryPolicy, tries: number, random: () => number = Math.random): number | 'give-up' {
  if (!(tries < policy.attempts)) return 'give-up';
  return backoffMs(policy, tries, random);
}
