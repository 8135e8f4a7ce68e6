import { Redis } from 'ioredis';
import { createStore, followEvents, LONG_RUNNING_REDIS_OPTIONS, validateRedisUrl, type EventFollower, type StoreEventType } from '../store/index.js';
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

export function openStationFeed(url: string): StationFeed {
  validateRedisUrl(url);
  const redis = new Redis(url, LONG_RUNNING_REDIS_OPTIONS);
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
