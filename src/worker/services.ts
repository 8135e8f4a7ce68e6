import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { memoizeTags, probeTags, type SongLoudness, type SongTags } from '../audio/index.js';
import { AudioCache } from '../cache/index.js';
import type { Config } from '../config/index.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { redactUrl } from '../log/index.js';
import { CachedResolver, type LookupOutcome } from '../frame-loader/cached-resolver.js';
import { embeddedResolver, type SongResolver } from '../frame-loader/song-resolver.js';
import type { Store } from '../store/index.js';
import { LONG_RUNNING_REDIS_OPTIONS } from '../store/long-running-options.js';
import { openDownloadArea } from './download-area.js';
import { loudnessRecorder } from './loudness-records.js';

/**
 * A lookup, retries included, ends within 8 s: under a station's 10 s silence budget, so a relay that
 * answers too late is "not ready" (the song kept aside) before the budget has to step in. A 5 s answer,
 * common from a mainland relay, still passes.
 */
const WORKER_RELAY_TIMEOUTS = { connectMs: 3_000, responseMs: 7_000, totalMs: 8_000, lookupMs: 8_000 };

/** What the stations of a worker share: Redis, the song resolver with its caches, the disk cache of audio. */
export interface WorkerServices {
  store?: Store | undefined;
  resolver: CachedResolver;
  /** Unavailable (full, read-only) it still opens: songs then play uncached. */
  audioCache?: AudioCache | undefined;
  /** Where downloads wait for ffmpeg; undefined when no folder takes them: ffmpeg then reads the song's URL itself. */
  downloadDir: string | undefined;
  /** With Redis configured: records a song's measured loudness there for the CLI (best-effort). */
  recordLoudness?: ((ref: string, loudness: SongLoudness) => void) | undefined;
  /** With Redis configured: whether its connection is ready now. */
  redisReady?: (() => boolean) | undefined;
  close(): Promise<void>;
}

/**
 * Reads a local file's tags: the worker's memoized reader, shared with its stations' transcodes (which take
 * an m4a's declared length from it), so the embedded local provider's files are probed once, not twice.
 */
type TagReader = (path: string) => Promise<SongTags>;

/** Told of what the services do, for the worker's metrics. */
export interface ServiceHooks {
  onLookup?: (seconds: number, outcome: LookupOutcome) => void;
}

/**
 * Opens what the configuration asks for. The disk is never a reason not to start: an unusable cache folder
 * leaves the cache unavailable and downloads in a temp folder or none. When a step fails, what the steps
 * before it opened is closed before the error goes on, so the process can exit. Modules are loaded only
 * when used (Redis, the relay client or the embedded providers): start-up time is time the mounts are not up yet.
 */
export async function openServices(config: Config, logger: Logger, hooks: ServiceHooks = {}, readTags: TagReader = memoizeTags(probeTags)): Promise<WorkerServices> {
  const closers: Array<() => unknown> = [];
  try {
    const audioCache = config.cacheDir
      ? await AudioCache.open({ dir: join(config.cacheDir, 'audio'), maxBytes: config.cacheMaxMb * 1024 * 1024, logger })
      : undefined;
    const downloads = await openDownloadArea(config.cacheDir, logger);
    closers.push(() => downloads.remove());
    const redis = config.redis.url ? await connectWorkerRedis(config.redis.url, logger) : undefined;
    if (redis) closers.push(() => redis.disconnect());
    const store = redis ? (await import('../store/index.js')).createStore(redis) : undefined;
    const { resolver: upstream, close: closeResolver } = lazySongResolver(config, logger, readTags);
    closers.push(closeResolver);
    const resolver = new CachedResolver({ resolver: upstream, store: store?.caches, logger, ...(hooks.onLookup ? { onLookup: hooks.onLookup } : {}) });
    const redisReady = redis ? () => redis.status === 'ready' : undefined;
    const recordLoudness = store ? loudnessRecorder(store.caches, logger) : undefined;
    return { store, resolver, audioCache, downloadDir: downloads.dir, recordLoudness, redisReady, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** Last opened, first closed; one that fails to close does not keep the others open. */
async function closeAll(closers: Array<() => unknown>): Promise<void> {
  for (const close of closers.splice(0).reverse()) await Promise.resolve().then(close).catch(() => undefined);
}

async function connectWorkerRedis(url: string, logger: Logger): Promise<Redis> {
  checkRedisUrl(url);
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, LONG_RUNNING_REDIS_OPTIONS);
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
 * A URL ioredis cannot use would fail later, deep inside it ("Invalid URL") or as a reconnect loop that never
 * ends; here it stops the start with the setting named. The URL itself is not repeated: it may hold a password.
 */
function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('redis.url (REDIS_URL)', 'not a valid URL: check its host and its port (1-65535), e.g. redis://127.0.0.1:6379');
  }
  if (!/^rediss?:$/.test(parsed.protocol)) throw new ConfigError('redis.url (REDIS_URL)', 'must be a redis:// or rediss:// URL');
  if (parsed.port === '0') throw new ConfigError('redis.url (REDIS_URL)', 'port 0 cannot be connected to: give the port Redis listens on (1-65535)');
}

/**
 * The relay client or the embedded providers, loaded at the first song that needs one: stations playing
 * files and URLs never do, and the memory and start-up time of those modules is then not spent.
 */
function lazySongResolver(config: Config, logger: Logger, readTags: TagReader): { resolver: SongResolver; close: () => void } {
  let opened: Promise<{ resolver: SongResolver; close: () => void }> | undefined;
  return {
    resolver: {
      async resolveSong(ref, options) {
        opened ??= songResolver(config, logger, readTags);
        return (await opened).resolver.resolveSong(ref, options);
      },
    },
    close: () => void opened?.then((resolver) => resolver.close()),
  };
}

async function songResolver(config: Config, logger: Logger, readTags: TagReader): Promise<{ resolver: SongResolver; close: () => void }> {
  if (config.relay.url) {
    const { createRelayClient } = await import('../relay-client/index.js');
    const client = createRelayClient({
      baseUrl: config.relay.url,
      ...(config.relay.token ? { token: config.relay.token } : {}),
      // The token a rotation (setup re-run with a new RELAY_TOKEN) wrote: re-read when the relay refuses the old one.
      ...(config.relay.tokenFile ? { tokenFile: config.relay.tokenFile } : {}),
      logger: logger.child({ component: 'relay-client' }),
      timeouts: WORKER_RELAY_TIMEOUTS,
    });
    return { resolver: client, close: () => client.close() };
  }
  const { createResolver } = await import('../relay/index.js');
  const embedded = createResolver({
    config: config.musicDir ? { local: { musicDir: config.musicDir } } : {},
    logger: logger.child({ component: 'embedded-relay' }),
    tagReader: readTags,
  });
  return { resolver: embeddedResolver(embedded), close: () => {} };
}
