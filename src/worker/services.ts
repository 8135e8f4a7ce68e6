import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis, RedisOptions } from 'ioredis';
import { probeTags } from '../audio/index.js';
import { AudioCache } from '../cache/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { redactUrl } from '../log/index.js';
import { CachedResolver } from '../songs/cached-resolver.js';
import { embeddedResolver, type SongResolver } from '../songs/song-resolver.js';
import type { Store } from '../store/index.js';

/**
 * A long-running worker's Redis client: reconnects forever, but a command issued while Redis is away fails
 * at once instead of queueing, so a song never waits on Redis (the worker goes on without it).
 */
const WORKER_REDIS_OPTIONS: RedisOptions = {
  connectTimeout: 2_000,
  commandTimeout: 3_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
};

const WORKER_RELAY_TIMEOUTS = { connectMs: 4_000, responseMs: 12_000, totalMs: 30_000 };

/** What the stations of a worker share: Redis, the song resolver with its caches, the disk cache of audio. */
export interface WorkerServices {
  store?: Store | undefined;
  resolver: CachedResolver;
  audioCache?: AudioCache | undefined;
  downloadDir: string;
  close(): Promise<void>;
}

/**
 * Opens what the configuration asks for. Modules are loaded only when used (Redis, the relay client or the
 * embedded providers): start-up time is time the mounts are not up yet.
 */
export async function openServices(config: Config, logger: Logger): Promise<WorkerServices> {
  const redis = config.redis.url ? await connectWorkerRedis(config.redis.url, logger) : undefined;
  const store = redis ? (await import('../store/index.js')).createStore(redis) : undefined;
  const { resolver: upstream, close: closeResolver } = lazySongResolver(config, logger);
  const resolver = new CachedResolver({ resolver: upstream, store, logger });
  const audioCache = config.cacheDir
    ? await AudioCache.open({ dir: join(config.cacheDir, 'audio'), maxBytes: config.cacheMaxMb * 1024 * 1024, logger })
    : undefined;
  const downloadDir = config.cacheDir ? join(config.cacheDir, 'downloads') : await mkdtemp(join(tmpdir(), 'relaycast-downloads-'));
  // Downloads left by a process that died are of no use: each is a song nobody is transcoding.
  await rm(downloadDir, { recursive: true, force: true });
  await mkdir(downloadDir, { recursive: true });
  return {
    store,
    resolver,
    audioCache,
    downloadDir,
    async close() {
      closeResolver();
      redis?.disconnect();
      if (!config.cacheDir) await rm(downloadDir, { recursive: true, force: true });
    },
  };
}

async function connectWorkerRedis(url: string, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, WORKER_REDIS_OPTIONS);
  let reachable = true;
  redis.on('ready', () => {
    if (!reachable) logger.info({ redis: redactUrl(url) }, 'Redis is back');
    reachable = true;
  });
  // ioredis reports every failed reconnect; one line per outage is enough for an operator.
  redis.on('error', (error: Error) => {
    if (reachable) logger.warn({ redis: redactUrl(url), err: error.message }, 'Redis unreachable: streaming goes on, retrying');
    reachable = false;
  });
  return redis;
}

/**
 * The relay client or the embedded providers, loaded at the first song that needs one: stations playing
 * files and URLs never do, and the memory and start-up time of those modules is then not spent.
 */
function lazySongResolver(config: Config, logger: Logger): { resolver: SongResolver; close: () => void } {
  let opened: Promise<{ resolver: SongResolver; close: () => void }> | undefined;
  return {
    resolver: {
      async resolveSong(ref) {
        opened ??= songResolver(config, logger);
        return (await opened).resolver.resolveSong(ref);
      },
    },
    close: () => void opened?.then((resolver) => resolver.close()),
  };
}

async function songResolver(config: Config, logger: Logger): Promise<{ resolver: SongResolver; close: () => void }> {
  if (config.relay.url) {
    const { createRelayClient } = await import('../relay-client/index.js');
    const client = createRelayClient({
      baseUrl: config.relay.url,
      ...(config.relay.token ? { token: config.relay.token } : {}),
      // Songs are resolved a whole song ahead, so a slow mainland relay (5 s answers are common) costs nothing;
      // giving up early would only turn a slow answer into a retry.
      timeouts: WORKER_RELAY_TIMEOUTS,
    });
    return { resolver: client, close: () => client.close() };
  }
  const { createResolver } = await import('../relay/index.js');
  const embedded = createResolver({
    config: config.musicDir ? { local: { musicDir: config.musicDir } } : {},
    logger: logger.child({ component: 'embedded-relay' }),
    tagReader: probeTags,
  });
  return { resolver: embeddedResolver(embedded), close: () => {} };
}
