import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import { EVENTS_CHANNEL, parseStoreEvent, type StoreEvent } from '../store/index.js';

/**
 * Follows the admins' events for as long as the worker runs, across Redis restarts: each time the
 * subscriber connection is ready again it (re)subscribes and calls `onReady`, so the worker can re-read
 * what it may have missed while Redis was away (pub/sub keeps nothing for absent subscribers).
 */
export function followStoreEvents(redis: Redis, handlers: { onEvent: (event: StoreEvent) => void; onReady: () => void }, logger: Logger): () => void {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== EVENTS_CHANNEL) return;
    const event = parseStoreEvent(message);
    if (event) handlers.onEvent(event);
    else logger.warn({ message: message.slice(0, 200) }, 'ignored an unknown event on the events channel');
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(EVENTS_CHANNEL).then(
      () => handlers.onReady(),
      () => undefined, // the connection dropped again; the next 'ready' retries
    );
  });
  return () => subscriber.disconnect();
}
