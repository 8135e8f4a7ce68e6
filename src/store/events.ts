import type { Redis } from 'ioredis';
import { z } from 'zod';
import { EVENTS_CHANNEL } from './keys.js';
import { StoreUnavailableError } from './errors.js';

/**
 * Edit events on the Redis pub/sub channel EVENTS_CHANNEL, one JSON object per message:
 *   {"type":"skip","station":"jazz"}
 *   {"type":"playlist-changed","playlist":"evening"}
 *   {"type":"queue-changed","station":"jazz","now":true}
 *   {"type":"station-changed","station":"jazz","now":false}
 *   {"type":"station-removed","station":"jazz"}
 *   {"type":"cache-cleared"}
 *   {"type":"fleet-changed"}
 * `now: true` means the admin asked for the change at once (cut the current song), not from the next song.
 * Every mutating store function publishes its event inside the same Lua script as its writes, so a
 * worker that receives an event always reads the state that caused it (or a later one).
 * `cache-cleared` follows `relaycast cache clear`, once the Redis caches are gone: a running worker then
 * drops what it remembers itself (unplayable songs in memory, its disk cache of audio).
 * `fleet-changed` says a worker joined, left or gave a station up, so the others take their new shares at
 * once instead of at their next lease round.
 * The worker's own progress (takeNextSong, now playing, history, caches) publishes nothing: it would
 * only echo back to the worker.
 */
export const STORE_EVENT_TYPES = ['skip', 'playlist-changed', 'queue-changed', 'station-changed', 'station-removed', 'cache-cleared', 'fleet-changed'] as const;

export type StoreEventType = (typeof STORE_EVENT_TYPES)[number];

export interface StoreEvent {
  readonly type: StoreEventType;
  readonly station?: string;
  readonly playlist?: string;
  readonly now?: boolean;
}

const storeEventSchema = z.object({
  type: z.enum(STORE_EVENT_TYPES),
  station: z.string().optional(),
  playlist: z.string().optional(),
  now: z.boolean().optional(),
});

/** The event in a message, or null for anything that is not one (other publishers, future types). */
export function parseStoreEvent(message: string): StoreEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  const parsed = storeEventSchema.safeParse(value);
  if (!parsed.success) return null;
  const { type, station, playlist, now } = parsed.data;
  return {
    type,
    ...(station !== undefined && { station }),
    ...(playlist !== undefined && { playlist }),
    ...(now !== undefined && { now }),
  };
}

export interface EventHandlers {
  onEvent(event: StoreEvent): void;
  /**
   * Called each time the subscription is active again after Redis came back: pub/sub keeps nothing for
   * absent subscribers, so this is when to re-read what may have been missed.
   */
  onReady?(): void;
  /** Called with the raw message when a message on the channel is not a valid event. */
  onInvalid?(message: string): void;
}

export interface EventFollower {
  /** Resolves once the first subscription is active, so no event published afterwards is missed. */
  readonly subscribed: Promise<void>;
  /** Drops the subscriber connection at once: stopping must not wait on a Redis that may be away. */
  close(): void;
}

/**
 * Follows the events for as long as the follower is open, across Redis restarts. A subscribed Redis
 * connection can do nothing else, so this opens its own with `redis.duplicate()` (same address and
 * options) and subscribes each time it is ready. With fail-fast options (the CLI's, no reconnects)
 * `subscribed` rejects with StoreUnavailableError when the connection ends before it could subscribe.
 */
export function followEvents(redis: Redis, handlers: EventHandlers): EventFollower {
  const subscriber = redis.duplicate();
  let closed = false;
  let markSubscribed!: () => void;
  let failSubscribed!: (error: Error) => void;
  const subscribed = new Promise<void>((resolve, reject) => {
    markSubscribed = resolve;
    failSubscribed = reject;
  });
  // Only callers that wait for it see a failure; a worker that never waits must not crash on it.
  subscribed.catch(() => undefined);
  // Errors surface through `subscribed` or ioredis's reconnects; an unhandled 'error' event would crash.
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== EVENTS_CHANNEL) return;
    const event = parseStoreEvent(message);
    if (event) handlers.onEvent(event);
    else handlers.onInvalid?.(message);
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(EVENTS_CHANNEL).then(
      () => {
        markSubscribed();
        handlers.onReady?.();
      },
      () => undefined, // the connection dropped again; the next 'ready' retries
    );
  });
  subscriber.on('end', () => {
    if (closed) return;
    const reason = 'the events connection to Redis closed before it could subscribe: check that Redis runs and --redis/REDIS_URL';
    failSubscribed(new StoreUnavailableError(reason));
  });
  // A lazyConnect client (the CLI's) does not connect by itself.
  if (subscriber.status === 'wait') subscriber.connect().catch(() => undefined);
  return {
    subscribed,
    close() {
      closed = true;
      subscriber.disconnect();
    },
  };
}
