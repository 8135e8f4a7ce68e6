import type { WallClock } from '../../time/index.js';

/** Token bucket per client: `burst` requests at once, then `perSecond` sustained. */
export interface RateLimiterOptions {
  perSecond: number;
  burst: number;
  /** Clients remembered; the least recently seen is forgotten first, so memory stays bounded. */
  maxClients: number;
  now: WallClock;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateLimiterOptions) {}

  /** Takes one token for `client`; when there is none, says how many seconds until there will be. */
  take(client: string): { allowed: true } | { allowed: false; retryAfterSec: number } {
    const { perSecond, burst, maxClients, now } = this.options;
    const at = now();
    const previous = this.buckets.get(client);
    // A wall clock stepping back must not drain buckets: elapsed time is never negative.
    const elapsedMs = previous ? Math.max(0, at - previous.updatedAt) : 0;
    const refilled = previous ? Math.min(burst, previous.tokens + (elapsedMs / 1000) * perSecond) : burst;
    const allowed = refilled >= 1;
    const bucket = { tokens: allowed ? refilled - 1 : refilled, updatedAt: at };

    // Delete and re-insert: Map keeps insertion order, so the first key is the least recently seen.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > maxClients) this.buckets.delete(this.buckets.keys().next().value as string);

    return allowed ? { allowed } : { allowed, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }
}
