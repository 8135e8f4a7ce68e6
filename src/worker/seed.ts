import { isAbsolute, resolve } from 'node:path';
import type { Config, StationConfig } from '../config/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { locationToRef } from '../m3u/index.js';
import { hasProviderPrefix } from '../refs/index.js';
import type { Store } from '../store/index.js';
import { stationSongList } from './playlist-file.js';
import { storedSettings } from './station-identity.js';

/**
 * With Redis, the start config only seeds: a configured station that Redis does not have yet is created
 * there with a playlist of the same name holding its songs. Stations already in Redis are left as the
 * admins made them.
 */
export async function seedStations(store: Store, config: Config, logger: Logger): Promise<void> {
  const existing = new Set((await store.stations.list()).map((station) => station.name));
  for (const station of config.stations) {
    if (existing.has(station.name)) continue;
    try {
      await seedStation(store, station, config.musicDir, logger);
      logger.info({ station: station.name }, 'station created in Redis from the start config');
    } catch (error) {
      logger.error({ station: station.name, err: describeError(error) }, 'cannot create the configured station in Redis');
    }
  }
}

async function seedStation(store: Store, station: StationConfig, musicDir: string | undefined, logger: Logger): Promise<void> {
  const refs: string[] = [];
  for (const entry of await stationSongList(station)) {
    const ref = asRef(entry.location, musicDir);
    if (ref) refs.push(ref);
    else logger.warn({ station: station.name, song: entry.location }, 'left out of the stored playlist: only song refs and files inside MUSIC_DIR can be stored');
  }
  const playlists = new Set((await store.playlists.list()).map((playlist) => playlist.name));
  if (!playlists.has(station.name)) {
    await store.playlists.create(station.name);
    if (refs.length > 0) await store.playlists.add(station.name, refs);
  }
  await store.stations.create(station.name, storedSettings(station));
}

/** A song ref as given, or a file inside the music folder as a `local:` ref: the M3U import's rule. */
function asRef(location: string, musicDir: string | undefined): string | undefined {
  // A relative path of the start config is relative to the worker, not to the relay's music folder.
  if (!hasProviderPrefix(location) && !isAbsolute(location)) return undefined;
  const result = locationToRef(location, musicDir === undefined ? {} : { localRoot: resolve(musicDir) });
  return result.ok ? result.value : undefined;
}
