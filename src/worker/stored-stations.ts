import type { Config } from '../config/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { SongSupplier } from '../station/programme.js';
import type { Station, StationIdentity } from '../station/index.js';
import type { Song } from '../station/song.js';
import { followEvents, songMetaOf, type Fleet, type Station as StoredStation, type Store, type StoreEvent } from '../store/index.js';
import { systemClock } from '../time/index.js';
import { FallbackFeeds } from './fallback-feeds.js';
import { ownerPlayback, type OwnerPlayback } from './owner-playback.js';
import { RedisSupplier } from './redis-supplier.js';
import { StationRoster } from './roster.js';
import { seedStations } from './seed.js';
import { fallbackIdentity, storedIdentity } from './station-identity.js';
import { startLeaseRounds } from './lease-rounds.js';
import { LEASE_TIMING, newWorkerId, StationLeases } from './station-leases.js';

/**
 * The stored station's settings its songs read as they load and play: `match` at every song, `loudness` at
 * every batch, `crossfade` as each song nears its end.
 */
export type LiveSettings = () => Pick<StoredStation, 'match' | 'loudness' | 'crossfade'>;

/**
 * `mayTakeMount`: see IcecastSourceOptions; given for stations played under a lease. `live`: the station's
 * settings as they are now; without it the match is on and the loudness target is the default.
 */
export type BuildStation = (identity: StationIdentity, supplier: SongSupplier, mayTakeMount?: () => Promise<boolean>, live?: LiveSettings) => Station;

/** What the worker does when an admin clears the caches: forget its own copies of them. */
export type ClearWorkerCaches = () => Promise<void>;

/** A fallback feed plays no songs: the programme sends its keepalive silence for as long as it runs. */
const NO_SONGS: SongSupplier = { nextSong: async () => null };

/** Fallback feeds of this worker, each a started silent source on the station's fallback mount. */
function fallbackFeeds(store: Store, worker: string, logger: Logger, build: BuildStation): FallbackFeeds {
  const feeds: FallbackFeeds = new FallbackFeeds(
    store.leases,
    worker,
    (stored) => {
      const source = build(fallbackIdentity(stored), NO_SONGS, () => feeds.confirm(stored.name));
      source.start();
      return source;
    },
    logger,
  );
  return feeds;
}

/** Whether a live worker other than `worker` feeds the station's fallback: its listeners have somewhere to wait. */
function fedByAnother(fleet: Fleet | undefined, worker: string, station: string): boolean {
  return fleet?.workers.some((other) => other.live && other.id !== worker && other.fallbacks.includes(station)) ?? false;
}

/**
 * The stored stations this worker holds the lease of, run and kept in line with the admins' edits, and the
 * fallback mounts it feeds for stations other workers play. Each time Redis answers (again) the configured
 * stations are created once; every lease round (LEASE_TIMING) the worker renews its leases, moves toward its
 * fair share of the stations, starts or stops stations to match, then does the same for fallback feeds.
 */
export function runStoredStations(
  store: Store,
  config: Config,
  logger: Logger,
  build: BuildStation,
  clearCaches: ClearWorkerCaches,
): { stop: () => Promise<void> } {
  if (config.workerRole === 'fallback') return runFallbackWorker(store, logger, build);
  const leases = new StationLeases(store.leases, newWorkerId(), logger);
  const feeds = fallbackFeeds(store, leases.worker, logger, build);
  const playback = ownerPlayback(store.playback, leases);
  const buildStored = (stored: StoredStation, current: () => StoredStation) =>
    storedStation(playback, stored, logger, (identity, supplier) =>
      build(identity, supplier, () => leases.confirm(stored.name), current),
    );
  const roster = new StationRoster(store.stations, buildStored, (name) => leases.holds(name), logger);
  const leaseRound = async () => {
    let listed: StoredStation[] | undefined;
    let fleet: Fleet | undefined;
    const listStations = async () => {
      [listed, fleet] = await Promise.all([store.stations.list(), store.leases.fleet()]);
      return listed.map((station) => station.name);
    };
    const changes = await leases.round(listStations, () => roster.stopUnplayed(), (station) => fedByAnother(fleet, leases.worker, station));
    if (changes.lost.length > 0) await roster.stopUnplayed();
    if (changes.gained.length > 0) await roster.sync();
    if (listed && fleet) await feeds.round({ stations: listed, fleet, onAir: (name) => roster.onAir(name), mayClaim: leases.settled });
  };
  const rounds = startLeaseRounds(leaseRound, systemClock, logger);
  let seeded = false;
  const onReady = async () => {
    if (!seeded) {
      seeded = await seedStations(store, config, logger).then(
        () => true,
        (error: unknown) => (logger.warn({ err: describeError(error) }, 'could not create the configured stations in Redis yet'), false),
      );
    }
    await roster.sync();
    await rounds.run();
  };
  const onEvent = (event: StoreEvent) => {
    // A new or removed station changes every worker's share: claim or give up at once, not at the next round.
    if (event.type === 'station-changed' || event.type === 'station-removed' || event.type === 'fleet-changed') void rounds.run();
    if (event.type !== 'cache-cleared') roster.handle(event);
    else clearCaches().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'could not clear the worker\'s own caches'));
  };
  const onInvalid = (message: string) => logger.warn({ message: message.slice(0, 200) }, 'ignored an unknown event on the events channel');
  const events = followEvents(store.redis, { onEvent, onReady: () => void onReady(), onInvalid });
  return {
    async stop() {
      events.close();
      await rounds.stop();
      // The stations first, so the next owners find their mounts free; this worker's fallback feeds last,
      // once the stations they stand in for are no longer its own.
      await roster.stopAll();
      await leases.releaseAll();
      await feeds.stopAll();
    },
  };
}

/**
 * WORKER_ROLE=fallback: plays no station, only feeds fallback mounts, so the stations of a lone player worker
 * keep their listeners through its restarts and upgrades.
 */
function runFallbackWorker(store: Store, logger: Logger, build: BuildStation): { stop: () => Promise<void> } {
  const worker = newWorkerId();
  const feeds = fallbackFeeds(store, worker, logger, build);
  let redisAway = false;
  const round = async () => {
    try {
      const [listed] = await Promise.all([store.stations.list(), store.leases.heartbeat(worker, LEASE_TIMING.ttlMs, 'fallback')]);
      const fleet = await store.leases.fleet();
      await feeds.round({ stations: listed, fleet, onAir: () => false, mayClaim: true });
      redisAway = false;
    } catch (error) {
      if (!redisAway) logger.warn({ worker, err: describeError(error) }, 'Redis unreachable: keeping the fallbacks this worker feeds');
      redisAway = true;
    }
  };
  const rounds = startLeaseRounds(round, systemClock, logger);
  const onEvent = (event: StoreEvent) => {
    if (event.type === 'station-changed' || event.type === 'station-removed' || event.type === 'fleet-changed') void rounds.run();
  };
  const events = followEvents(store.redis, { onEvent, onReady: () => void rounds.run(), onInvalid: () => undefined });
  logger.info({ worker }, 'fallback worker: feeding the stations\' fallback mounts, playing none');
  return {
    async stop() {
      events.close();
      await rounds.stop();
      await feeds.stopAll();
      await store.leases.leave(worker, 'fallback').catch(() => undefined);
    },
  };
}

function storedStation(playback: OwnerPlayback, stored: StoredStation, logger: Logger, build: BuildStation): Station {
  const stationLogger = logger.child({ station: stored.name });
  const station = build(storedIdentity(stored), new RedisSupplier(playback, stored.name, stationLogger));
  // One write at a time, in event order: a song's end must never land after the next song's start.
  let writes: Promise<void> = Promise.resolve();
  let onAir: Song | undefined;
  station.on('track-start', (song) => {
    onAir = song;
    writes = writes.then(() => recordPlay(playback, stored.name, song, stationLogger));
  });
  // The song's end is recorded too, so `relaycast now` says the station is silent rather than showing a
  // finished song with its elapsed time running past its duration.
  station.on('track-end', (song) => {
    if (song !== onAir) return;
    onAir = undefined;
    writes = writes.then(() => recordEnd(playback, stored.name, song, stationLogger));
  });
  return station;
}

async function recordEnd(playback: OwnerPlayback, station: string, song: Song, logger: Logger): Promise<void> {
  try {
    await playback.setNowPlaying(station, null);
  } catch (error) {
    logger.debug({ song: song.ref, err: describeError(error) }, 'end of song not recorded');
  }
}

/** Now playing and history for `relaycast now` / `history`; Redis being away costs the record, never the song. */
async function recordPlay(playback: OwnerPlayback, station: string, song: Song, logger: Logger): Promise<void> {
  const played = {
    ref: song.ref,
    ...songMetaOf(song),
    startedAt: Date.now(),
    source: song.origin?.source ?? 'playlist',
    position: song.origin?.position ?? 0,
  };
  try {
    await playback.setNowPlaying(station, played);
    await playback.appendHistory(station, played);
  } catch (error) {
    logger.debug({ song: song.ref, err: describeError(error) }, 'now playing not recorded');
  }
}
