import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../log/redact-url.js';
import { withDeadline } from '../time/index.js';
import { StoreUnavailableError, ValidationError } from './errors.js';

/**
 * Defaults for short-lived clients (the CLI): fail within seconds instead of queueing commands
 * and reconnecting forever, so an unreachable Redis is an error, not a hang.
 */
export const FAIL_FAST_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  /** TCP connect must finish within this. */
  connectTimeout: 2_000,
  /** Any command, including a Lua script, must answer within this (a server that accepts and hangs). */
  commandTimeout: 5_000,
  maxRetriesPerRequest: 1,
  /** Commands issued while disconnected fail at once instead of waiting for a reconnect. */
  enableOfflineQueue: false,
  /** Never reconnect: the command fails and the CLI says so. */
  retryStrategy: () => null,
  /**
   * How long a closing socket may wait for the server's FIN. ioredis's own timer for it (2 s by default)
   * outlives a failed connection attempt and would keep a CLI process alive after it has failed.
   */
  disconnectTimeout: 100,
  lazyConnect: true,
});

/** Extra time over connectTimeout for the ready check (INFO) after the TCP connect. */
const READY_GRACE_MS = 1_000;

export function validateRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`invalid Redis URL ${JSON.stringify(url)}: expected redis://host:port`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ValidationError(`invalid Redis URL ${redactUrl(url)}: expected redis:// or rediss://`);
  }
  return url;
}

/**
 * Connects and waits until Redis answers, or throws StoreUnavailableError. `overrides` replace the
 * fail-fast defaults (a long-running worker passes its own retryStrategy and offline queue).
 */
export async function connectRedis(url: string, overrides: RedisOptions = {}): Promise<Redis> {
  validateRedisUrl(url);
  const options: RedisOptions = { ...FAIL_FAST_REDIS_OPTIONS, ...overrides, lazyConnect: true };
  const redis = new Redis(url, options);
  // ioredis prints "Unhandled error event" to the console without an 'error' listener; failures reach
  // callers through the rejected commands instead.
  // It also keeps the socket's own error: connect() itself only says "Connection is closed".
  let socketError: Error | undefined;
  const remember = (error: Error) => {
    socketError ??= error;
  };
  redis.on('error', remember);
  const limitMs = (options.connectTimeout ?? 10_000) + READY_GRACE_MS;
  try {
    await withDeadline(redis.connect(), limitMs, () => {
      throw new Error(`no answer within ${limitMs} ms`);
    });
    redis.off('error', remember);
    redis.on('error', () => undefined);
    return redis;
  } catch (thrown) {
    dropConnection(redis);
    const error = socketError ?? thrown;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`cannot reach Redis at ${redactUrl(url)} (${reason}): check --redis / REDIS_URL`, error);
  }
}

/**
 * Disconnects without waiting for the server. ioredis's disconnect() only half-closes the socket (FIN),
 * which keeps a CLI process alive for seconds against a server that accepted and never answers.
 */
function dropConnection(redis: Redis): void {
  redis.disconnect();
  redis.stream?.destroy();
}

/** Closes politely (QUIT), or drops the socket when the connection is already broken. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to dropping the socket
    }
  }
  dropConnection(redis);
}
