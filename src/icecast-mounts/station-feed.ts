import { Redis, type RedisOptions } from 'ioredis';
import { createStore, followEvents, validateRedisUrl, type EventFollower, type StoreEventType } from '../store/index.js';
import { backoffMs, type Backoff } from '../time/index.js';
import type { MountedStation } from './mount-blocks.js';

/** The events after which the stations' mounts may differ: a station made, edited (its mount) or removed. */
export const MOUNT_EVENTS: readonly StoreEventType[] = ['station-changed', 'station-removed'];

/** Why the writer reads the stations again. */
export type FeedSignal = 'event' | 'subscribed';

/** The stations as the writer sees them: a listing on demand, and a call whenever it may have changed. */
export interface StationFeed {
  /** Every stored station; rejects at once while Redis is away. */
  list(): Promise<MountedStation[]>;
  /**
   * Calls `onSignal` on every mount event and each time the subscription is active again (at start and
   * after Redis came back: pub/sub keeps nothing for absent subscribers, so that is when to read again).
   */
  follow(onSignal: (signal: FeedSignal) => void): void;
  close(): void;
}

/** Reconnects: soon after a blip, every 1-2 s during an outage, so Redis's return is noticed quickly. */
const RECONNECT: Backoff = Object.freeze({ firstDelayMs: 200, capDelayMs: 2_000 });

/**
 * A long-running client that starts whether Redis answers or not and reconnects forever; a command while
 * Redis is away fails at once instead of queueing (the writer then keeps the file it wrote last).
 */
const FEED_REDIS_OPTIONS: RedisOptions = {
  connectTimeout: 2_000,
  commandTimeout: 3_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => backoffMs(RECONNECT, attempt),
  /**
   * How long a closing socket may wait for the server's FIN. ioredis's own timer for it (2 s by default)
   * kept a stopped writer alive for 2 s after SIGTERM while Redis was away (measured).
   */
  disconnectTimeout: 100,
};

export function openStationFeed(url: string): StationFeed {
  validateRedisUrl(url);
  const redis = new Redis(url, FEED_REDIS_OPTIONS);
  // Failures reach the writer through list(); without a listener ioredis prints every reconnect error.
  redis.on('error', () => undefined);
  const store = createStore(redis);
  let follower: EventFollower | undefined;
  return {
    list: () => store.stations.list(),
    follow(onSignal) {
      follower?.close();
      follower = followEvents(redis, {
        onEvent: (event) => {
          if (MOUNT_EVENTS.includes(event.type)) onSignal('event');
        },
        onReady: () => onSignal('subscribed'),
      });
    },
    close() {
      follower?.close();
      redis.disconnect();
    },
  };
}
