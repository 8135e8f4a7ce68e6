import type { Config } from '../config/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { SongSupplier } from '../station/programme.js';
import type { Station, StationIdentity } from '../station/station.js';
import type { Song } from '../station/song.js';
import type { Station as StoredStation, Store } from '../store/index.js';
import { followStoreEvents } from './events.js';
import { RedisSupplier } from './redis-supplier.js';
import { StationRoster } from './roster.js';
import { seedStations } from './seed.js';

export type BuildStation = (identity: StationIdentity, supplier: SongSupplier) => Station;

/**
 * The stations stored in Redis, run and kept in line with the admins' edits. Each time Redis answers
 * (again) the configured stations are created once, then the running ones are synced with Redis.
 */
export function runStoredStations(store: Store, config: Config, logger: Logger, build: BuildStation): { roster: StationRoster; stop: () => Promise<void> } {
  const roster = new StationRoster(store, (stored) => storedStation(store, stored, logger, build), logger);
  let seeded = false;
  const onReady = async () => {
    if (!seeded) {
      seeded = await seedStations(store, config, logger).then(
        () => true,
        (error: unknown) => (logger.warn({ err: describeError(error) }, 'could not create the configured stations in Redis yet'), false),
      );
    }
    await roster.sync();
  };
  const stopFollowing = followStoreEvents(store.redis, { onEvent: (event) => roster.handle(event), onReady: () => void onReady() }, logger);
  return {
    roster,
    async stop() {
      stopFollowing();
      await roster.stopAll();
    },
  };
}

function storedStation(store: Store, stored: StoredStation, logger: Logger, build: BuildStation): Station {
  const identity: StationIdentity = {
    name: stored.name,
    mount: stored.mount,
    format: stored.format,
    ice: { name: stored.iceName || stored.name, ...(stored.iceDescription ? { description: stored.iceDescription } : {}), ...(stored.iceGenre ? { genre: stored.iceGenre } : {}) },
    metadataCharset: 'omit',
  };
  const stationLogger = logger.child({ station: stored.name });
  const station = build(identity, new RedisSupplier(store, stored.name, stationLogger));
  station.on('track-start', (song) => void recordPlay(store, stored.name, song, stationLogger));
  return station;
}

/** Now playing and history for `relaycast now` / `history`; Redis being away costs the record, never the song. */
async function recordPlay(store: Store, station: string, song: Song, logger: Logger): Promise<void> {
  const played = {
    ref: song.ref,
    title: song.title,
    artist: song.artist,
    ...(song.album ? { album: song.album } : {}),
    ...(song.durationMs ? { durationMs: song.durationMs } : {}),
    startedAt: Date.now(),
    source: song.origin?.source ?? 'playlist',
    position: song.origin?.position ?? 0,
  };
  try {
    await store.setNowPlaying(station, played);
    await store.appendHistory(station, played);
  } catch (error) {
    logger.debug({ song: song.ref, err: describeError(error) }, 'now playing not recorded');
  }
}
