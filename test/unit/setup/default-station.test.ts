import { describe, expect, it } from 'vitest';
import { ConflictError, type NewStation, type Station } from '../../../src/store/index.js';
import { DEFAULT_STATION, ensureDefaultStation } from '../../../src/setup/index.js';

/** The part of the store setup uses, in memory. */
function memoryStore(initial: { stations?: string[]; playlists?: Record<string, string[]> } = {}) {
  const playlists = new Map(Object.entries(initial.playlists ?? {}));
  const stations = new Map<string, NewStation>((initial.stations ?? []).map((name) => [name, { mount: `/${name}.mp3`, playlist: name }]));
  const store = {
    stations: {
      list: async () => [...stations.keys()].map((name) => ({ name }) as Station),
      create: async (name: string, settings: NewStation) => {
        if (stations.has(name)) throw new ConflictError(`station ${name} already exists`);
        stations.set(name, settings);
        return { name } as Station;
      },
    },
    playlists: {
      list: async () => [...playlists].map(([name, refs]) => ({ name, length: refs.length })),
      length: async (name: string) => playlists.get(name)?.length ?? 0,
      create: async (name: string) => {
        if (playlists.has(name)) throw new ConflictError(`playlist ${name} already exists`);
        playlists.set(name, []);
      },
      add: async (name: string, refs: readonly string[]) => {
        playlists.get(name)!.push(...refs);
        return playlists.get(name)!.length;
      },
    },
  };
  return { store, playlists, stations };
}

const REFS = ['local:demo/01.m4a', 'local:demo/02.m4a'];

describe('ensureDefaultStation', () => {
  it('creates the default playlist with the songs, and a station playing it on /radio.mp3, in an empty Redis', async () => {
    const memory = memoryStore();
    expect(await ensureDefaultStation(memory.store, REFS)).toEqual({ created: true, songs: 2 });
    expect(memory.playlists.get(DEFAULT_STATION.playlist)).toEqual(REFS);
    expect(memory.stations.get(DEFAULT_STATION.name)).toMatchObject({ mount: '/radio.mp3', playlist: DEFAULT_STATION.playlist });
  });

  it('leaves a Redis with stations alone, and one with playlists of its own (admins removed every station)', async () => {
    const withStation = memoryStore({ stations: ['jazz'], playlists: { jazz: ['qq:002wit7s1Tvdlg'] } });
    expect(await ensureDefaultStation(withStation.store, REFS)).toEqual({ created: false, reason: 'stations-exist' });
    const withPlaylist = memoryStore({ playlists: { evening: ['netease:186016'] } });
    expect(await ensureDefaultStation(withPlaylist.store, REFS)).toEqual({ created: false, reason: 'playlists-exist' });
    expect(withPlaylist.stations.size).toBe(0);
  });

  it('completes what a setup that died after the playlist left, without adding the songs twice', async () => {
    const halfDone = memoryStore({ playlists: { [DEFAULT_STATION.playlist]: REFS } });
    expect(await ensureDefaultStation(halfDone.store, REFS)).toEqual({ created: true, songs: 2 });
    expect(halfDone.stations.has(DEFAULT_STATION.name)).toBe(true);
  });

  it('creates the station with an empty playlist when there is no music: it streams silence until songs are added', async () => {
    const memory = memoryStore();
    expect(await ensureDefaultStation(memory.store, [])).toEqual({ created: true, songs: 0 });
  });
});
