import type { RedisOptions } from 'ioredis';
import { backoffMs, type Backoff } from '../time/index.js';

// A module of its own, without ioredis's code: the worker reads it before it knows it will need Redis.

/** Reconnects of a long-running client: soon after a blip, every 1-2 s during an outage, so Redis's return is noticed quickly. */
const LONG_RUNNING_RECONNECT: Backoff = Object.freeze({ firstDelayMs: 200, capDelayMs: 2_000 });

/**
 * Defaults for long-running clients (the worker, icecast-config): reconnect forever, but a command issued
 * while Redis is away fails at once instead of queueing, so nothing waits on Redis (each goes on without it).
 */
export const LONG_RUNNING_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  connectTimeout: 2_000,
  commandTimeout: 3_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt: number) => backoffMs(LONG_RUNNING_RECONNECT, attempt),
  /**
   * How long a closing socket may wait for the server's FIN. ioredis's own timer for it (2 s by default)
   * kept a stopped process alive for 2 s after SIGTERM while Redis was away (measured).
   */
  disconnectTimeout: 100,
});
