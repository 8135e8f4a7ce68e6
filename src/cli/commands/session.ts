import { createRelayClient, type RelayClient } from '../../relay-client/index.js';
import { closeRedis, connectRedis, createStore, type Store } from '../../store/index.js';
import { redisUrlOf, relaySettingsOf, type ConnectionFlags } from './options.js';

/** Connects to Redis (failing fast), runs `work`, and always closes the connection. */
export async function withStore<T>(flags: ConnectionFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const redis = await connectRedis(redisUrlOf(flags));
  try {
    return await work(createStore(redis));
  } finally {
    await closeRedis(redis);
  }
}

/** A relay client for one command; its keep-alive sockets are closed afterwards. */
export async function withRelay<T>(flags: ConnectionFlags, work: (relay: RelayClient) => Promise<T>): Promise<T> {
  const relay = createRelayClient(relaySettingsOf(flags));
  try {
    return await work(relay);
  } finally {
    relay.close();
  }
}
