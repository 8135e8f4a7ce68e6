import type { Redis } from 'ioredis';
import { z } from 'zod';
import { EVENTS_CHANNEL } from './keys.js';
import { storeCall } from './redis-errors.js';

/**
 * Edit events on the Redis pub/sub channel EVENTS_CHANNEL, one JSON object per message:
 *   {"type":"skip","station":"jazz"}
 *   {"type":"playlist-changed","playlist":"evening"}
 *   {"type":"queue-changed","station":"jazz","now":true}
 *   {"type":"station-changed","station":"jazz","now":false}
 *   {"type":"station-removed","station":"jazz"}
 *   {"type":"cache-cleared"}
 * `now: true` means the admin asked for the change at once (cut the current song), not from the next song.
 * Every mutating store function publishes its event inside the same Lua script as its writes, so a
 * worker that receives an event always reads the state that caused it (or a later one).
 * `cache-cleared` follows `relaycast cache clear`, once the Redis caches are gone: a running worker then
 * drops what it remembers itself (unplayable songs in memory, its disk cache of audio).
 * The worker's own progress (takeNextSong, now playing, history, caches) publishes nothing: it would
 * only echo back to the worker.
 */
export const STORE_EVENT_TYPES = ['skip', 'playlist-changed', 'queue-changed', 'station-changed', 'station-removed', 'cache-cleared'] as const;

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

export interface EventSubscription {
  /** Unsubscribes and closes the subscriber connection. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Called with the raw message when a message on the channel is not a valid event. */
  onInvalid?: (message: string) => void;
}

/**
 * Calls `handler` for each event. A subscribed Redis connection can do nothing else, so this opens its
 * own connection with `redis.duplicate()` (same address and options; ioredis resubscribes after a
 * reconnect). Resolves once the subscription is active, so no event published afterwards is missed.
 */
export async function subscribeEvents(
  redis: Redis,
  handler: (event: StoreEvent) => void,
  options: SubscribeOptions = {},
): Promise<EventSubscription> {
  const subscriber = redis.duplicate();
  // Errors surface through subscribe() or ioredis's reconnects; an unhandled 'error' event would crash.
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== EVENTS_CHANNEL) return;
    const event = parseStoreEvent(message);
    if (event) handler(event);
    else options.onInvalid?.(message);
  });
  try {
    await storeCall(async () => {
      // A lazyConnect client (the CLI's) must connect first: with no offline queue a command would fail.
      if (subscriber.status === 'wait') await subscriber.connect();
      await subscriber.subscribe(EVENTS_CHANNEL);
    });
  } catch (error) {
    subscriber.disconnect();
    throw error;
  }
  return {
    async close() {
      try {
        await subscriber.unsubscribe(EVENTS_CHANNEL);
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
