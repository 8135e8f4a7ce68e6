import { ConflictError, MAX_PLAYLIST_LENGTH, type StorePlaylists, type StoreStations } from '../store/index.js';

/**
 * The station `relaycast setup` creates when Redis has none, so that a fresh `docker compose up` is on air.
 * Its mount is the one icecast.xml gives a fallback mount.
 */
export const DEFAULT_STATION = Object.freeze({
  name: 'main',
  playlist: 'main',
  mount: '/radio.mp3',
  iceName: 'relaycast',
  iceDescription: 'relaycast: songs from the music folder',
  iceGenre: 'Various',
});

export type DefaultStationOutcome =
  | { readonly created: true; readonly songs: number }
  | { readonly created: false; readonly reason: 'stations-exist' | 'playlists-exist' };

export interface DefaultStationStore {
  readonly stations: Pick<StoreStations, 'list' | 'create'>;
  readonly playlists: Pick<StorePlaylists, 'list' | 'length' | 'create' | 'add'>;
}

/**
 * Creates the default playlist (the given refs, in order) and station, only in a Redis without stations
 * or playlists: whatever an admin made is left alone, even after they removed every station. A setup
 * that died between the playlist and the station left only the default playlist: that still counts as
 * empty, and is completed.
 */
export async function ensureDefaultStation(store: DefaultStationStore, refs: readonly string[]): Promise<DefaultStationOutcome> {
  if ((await store.stations.list()).length > 0) return { created: false, reason: 'stations-exist' };
  const playlists = await store.playlists.list();
  if (playlists.some((playlist) => playlist.name !== DEFAULT_STATION.playlist)) return { created: false, reason: 'playlists-exist' };

  const songs = refs.slice(0, MAX_PLAYLIST_LENGTH);
  if (playlists.length === 0) await ignoreConflict(store.playlists.create(DEFAULT_STATION.playlist));
  if (songs.length > 0 && (await store.playlists.length(DEFAULT_STATION.playlist)) === 0) await store.playlists.add(DEFAULT_STATION.playlist, songs);
  await ignoreConflict(
    store.stations.create(DEFAULT_STATION.name, {
      mount: DEFAULT_STATION.mount,
      playlist: DEFAULT_STATION.playlist,
      iceName: DEFAULT_STATION.iceName,
      iceDescription: DEFAULT_STATION.iceDescription,
      iceGenre: DEFAULT_STATION.iceGenre,
    }),
  );
  return { created: true, songs: await store.playlists.length(DEFAULT_STATION.playlist) };
}

/** Another setup running at the same moment made it first: the outcome is the same. */
async function ignoreConflict(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
