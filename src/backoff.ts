/**
 * Exponential backoff with "equal jitter", the one retry shape every client here uses: the step doubles
 * per attempt (1 = the first retry) up to `capMs`, and the delay is drawn uniformly from the step's upper
 * half, so it never drops to zero (no hot loop) and many clients failing together spread out.
 * `random` returns a number in [0, 1).
 */
export function backoffMs(attempt: number, firstMs: number, capMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const step = Math.min(capMs, firstMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}
