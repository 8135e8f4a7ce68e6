import type { RelayClient } from '../../relay-client/index.js';
import type { Store } from '../../store/index.js';
import { confirm } from './command-kit.js';
import { redisUrlOf, relaySettingsOf, type ConnectionFlags } from './options.js';

/**
 * Connects to Redis (failing fast), runs `work`, and always closes the connection. The store and its
 * Redis client are loaded here, when a command connects, not when the CLI parses its arguments.
 */
export async function withStore<T>(flags: ConnectionFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const { closeRedis, connectRedis, createStore } = await import('../../store/index.js');
  const redis = await connectRedis(redisUrlOf(flags));
  try {
    return await work(createStore(redis));
  } finally {
    await closeRedis(redis);
  }
}

/**
 * The body most store commands share: open the store, make one edit, close it, then say what was done
 * (unless -q). Arguments are checked before, so bad input is exit 2 even while Redis is away.
 */
export async function editStore<T>(
  flags: ConnectionFlags & { quiet?: boolean },
  edit: (store: Store) => Promise<T>,
  done: (result: T) => string,
): Promise<void> {
  confirm(flags, done(await withStore(flags, edit)));
}

/** A relay client for one command; its keep-alive sockets are closed afterwards. */
export async function withRelay<T>(flags: ConnectionFlags, work: (relay: RelayClient) => Promise<T>): Promise<T> {
  const { createRelayClient } = await import('../../relay-client/index.js');
  const relay = createRelayClient(relaySettingsOf(flags));
  try {
    return await work(relay);
  } finally {
    relay.close();
  }
}
