import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { redactUrl } from '../log/index.js';
import { closeRedis, connectRedis, createStore, MAX_PLAYLIST_LENGTH, StoreUnavailableError, type Store } from '../store/index.js';
import { settle } from '../result.js';
import { retry, sleepOn, systemClock, type Clock } from '../time/index.js';
import { DEFAULT_STATION, ensureDefaultStation, type DefaultStationOutcome } from './default-station.js';
import { makeDemoSongs, runProgram as execProgram, type DemoSongsProgress, type RunProgram } from './demo-songs.js';
import { renderIcecastConfig, type MountedStation } from '../icecast-mounts/index.js';
import { writeIcecastConfig, writeIcecastConfigFile } from './icecast-config.js';
import { hasAudioFiles, listAudioFiles } from './music-folder.js';
import { ensureSecrets, type RandomBytes, type Secret, type SecretName } from './secrets.js';
import type { SetupSettings } from './settings.js';

/** Redis may still be loading its append-only file when setup starts: try this long, then fail. */
export const REDIS_WAIT_MS = 30_000;
const REDIS_RETRY_MS = 500;

interface OpenedStore {
  readonly store: Store;
  readonly close: () => Promise<void>;
}

export interface SetupDeps {
  readonly logger: Logger;
  readonly randomBytes?: RandomBytes;
  readonly runProgram?: RunProgram;
  /** Opens the store; the default connects to settings.redisUrl, failing fast. */
  readonly openStore?: (url: string) => Promise<OpenedStore>;
  /** Times the demo songs and the wait for Redis. */
  readonly clock?: Clock;
  /** Hears of each demo song as it is made (the CLI's bar on a terminal). */
  readonly demoSongsProgress?: DemoSongsProgress;
}

export interface SetupReport {
  readonly secrets: Record<SecretName, Pick<Secret, 'path' | 'origin'>>;
  /** The config Icecast reads (the base with the station mounts), and the base itself. */
  readonly icecastConfig: string;
  readonly icecastBaseConfig: string;
  /** Library paths of the demo songs made now (none when the folder had music or DEMO_SONGS=0). */
  readonly demoSongs: readonly string[];
  /** What happened to the default station; undefined without REDIS_URL. */
  readonly defaultStation: DefaultStationOutcome | undefined;
}

/**
 * Everything a fresh compose station needs before its services start, each step safe to run again:
 * the secrets (generated once, kept), Icecast's config (rendered every time), demo songs (only into a
 * music folder without audio) and a default playlist and station (only in a Redis without any).
 */
export async function runSetup(settings: SetupSettings, deps: SetupDeps): Promise<SetupReport> {
  const { logger } = deps;

  const secrets = await ensureSecrets(settings.secretsDir, settings.givenSecrets, deps.randomBytes);
  for (const secret of Object.values(secrets)) {
    logger.info({ secret: secret.name, file: secret.path, origin: secret.origin }, `secret ${describeOrigin(secret)}`);
  }

  const base = await writeIcecastConfig(settings.icecastTemplate, settings.icecastBaseConfigPath, {
    ...settings.icecastValues,
    ICECAST_SOURCE_PASSWORD: secrets.ICECAST_SOURCE_PASSWORD.value,
    ICECAST_ADMIN_PASSWORD: secrets.ICECAST_ADMIN_PASSWORD.value,
    ICECAST_RELAY_PASSWORD: secrets.ICECAST_RELAY_PASSWORD.value,
  });
  logger.info({ file: settings.icecastBaseConfigPath, template: settings.icecastTemplate }, 'icecast.xml template rendered (the base config)');
  // The marker is checked before anything else is done: without it no station would get its fallback.
  renderIcecastConfig(base, [], { baseName: 'ICECAST_BASE_CONFIG_PATH' });

  const demoSongs = await demoSongsIfEmpty(settings, deps);

  let defaultStation: DefaultStationOutcome | undefined;
  let stations: readonly MountedStation[] = [];
  if (settings.redisUrl) {
    const refs = (await listAudioFiles(settings.musicDir, MAX_PLAYLIST_LENGTH)).map((path) => `local:${path}`);
    [defaultStation, stations] = await withStore(settings.redisUrl, deps, async (store) => [await ensureDefaultStation(store, refs), await store.stations.list()] as const);
    if (defaultStation.created) {
      logger.info({ station: DEFAULT_STATION.name, mount: DEFAULT_STATION.mount, playlist: DEFAULT_STATION.playlist, songs: defaultStation.songs }, 'default station created');
    } else {
      logger.info({ reason: defaultStation.reason }, 'Redis already has stations or playlists: no default station created');
    }
  }

  // Icecast starts with every station's mount blocks; `relaycast icecast-config` keeps them in step from here.
  const config = renderIcecastConfig(base, stations, { baseName: 'ICECAST_BASE_CONFIG_PATH' });
  await writeIcecastConfigFile(settings.icecastConfigPath, config.text);
  logger.info({ file: settings.icecastConfigPath, mounts: config.mounts }, 'icecast.xml rendered with the station mounts');

  const report = Object.fromEntries(Object.values(secrets).map((secret) => [secret.name, { path: secret.path, origin: secret.origin }]));
  return { secrets: report as SetupReport['secrets'], icecastConfig: settings.icecastConfigPath, icecastBaseConfig: settings.icecastBaseConfigPath, demoSongs, defaultStation };
}

function describeOrigin(secret: Secret): string {
  if (secret.origin === 'given') return 'taken from the environment';
  return secret.origin === 'generated' ? 'generated' : 'kept';
}

async function demoSongsIfEmpty(settings: SetupSettings, deps: SetupDeps): Promise<string[]> {
  if (!settings.demoSongs || (await hasAudioFiles(settings.musicDir))) return [];
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  try {
    const songs = await makeDemoSongs(settings.musicDir, deps.runProgram ?? execProgram, deps.demoSongsProgress);
    deps.logger.info({ dir: settings.musicDir, songs, tookMs: clock.now() - started }, 'demo songs made: the music folder had no audio');
    return songs;
  } catch (error) {
    // A read-only music folder is a choice, not a failure: the station plays whatever the folder holds.
    deps.logger.warn({ dir: settings.musicDir, err: describeError(error) }, 'could not make the demo songs: the station has no music until you add some');
    return [];
  }
}

async function withStore<T>(url: string, deps: SetupDeps, work: (store: Store) => Promise<T>): Promise<T> {
  const open = deps.openStore ?? openStore;
  const clock = deps.clock ?? systemClock;
  const end = await retry<OpenedStore, unknown>({
    attempt: () => settle(() => open(url)),
    delayAfter: (error) => (error instanceof StoreUnavailableError ? REDIS_RETRY_MS : 'give-up'),
    // retry() makes no try whose wait would end past its deadline; Redis gets its full REDIS_WAIT_MS, the
    // last try starting once that has passed.
    deadlineAt: clock.now() + REDIS_WAIT_MS + REDIS_RETRY_MS,
    now: () => clock.now(),
    sleep: sleepOn(clock),
    beforeRetry: (error, tries) => {
      if (tries === 1) deps.logger.info({ redis: redactUrl(url), err: describeError(error) }, 'waiting for Redis');
    },
  });
  if (!end.ok) throw end.failure.last;
  try {
    return await work(end.value.store);
  } finally {
    await end.value.close();
  }
}

async function openStore(url: string): Promise<OpenedStore> {
  const redis = await connectRedis(url);
  return { store: createStore(redis), close: () => closeRedis(redis) };
}
