import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import type { Store } from '../../../src/store/index.js';
import { validateRefs } from '../../../src/store/validate.js';
import { seedStations } from '../../../src/worker/seed.js';
import { makeTempDir } from '../../support/tmp.js';

/** The store calls seeding makes, refusing refs the way Redis's store does. */
function fakeStore() {
  const playlists = new Map<string, string[]>();
  const stations = new Map<string, { playlist: string }>();
  const store = {
    stations: {
      list: async () => [...stations.keys()].map((name) => ({ name })),
      create: async (name: string, settings: { playlist: string }) => void stations.set(name, settings),
    },
    playlists: {
      list: async () => [...playlists.keys()].map((name) => ({ name })),
      create: async (name: string) => void playlists.set(name, []),
      add: async (name: string, refs: string[]) => void playlists.get(name)?.push(...validateRefs(refs)),
    },
  };
  return { store: store as unknown as Store, playlists, stations };
}

describe('seedStations', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('seed');
  });
  afterEach(() => temp.remove());

  function configWith(playlistFile: string) {
    return configSchema.parse({
      icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 'hackme' },
      musicDir: temp.dir,
      stations: [{ name: 'jazz', mount: '/jazz.mp3', songs: ['netease:186016', 'relative/song.mp3'], playlistFile }],
    });
  }

  it('stores song refs and audio files inside MUSIC_DIR as local: refs, in order', async () => {
    const file = join(temp.dir, 'jazz.m3u');
    await writeFile(file, `#EXTM3U\nsub/a.mp3\n${join(temp.dir, 'b.flac')}\nqq:0039MnYb0qxYhV\n/elsewhere/c.mp3\nhttp://example.invalid/d.mp3\n`);
    const { store, playlists, stations } = fakeStore();
    await seedStations(store, configWith(file), silentLogger());
    expect(playlists.get('jazz')).toEqual(['netease:186016', 'local:sub/a.mp3', 'local:b.flac', 'qq:0039MnYb0qxYhV']);
    expect(stations.get('jazz')).toMatchObject({ playlist: 'jazz' });
  });

  it('leaves out a file inside MUSIC_DIR that the relay would not serve, instead of failing the whole station', async () => {
    const file = join(temp.dir, 'jazz.m3u');
    await writeFile(file, 'a.mp3\nnotes.txt\n.hidden/b.mp3\nc.mp3\n');
    const { store, playlists, stations } = fakeStore();
    await seedStations(store, configWith(file), silentLogger());
    expect(playlists.get('jazz')).toEqual(['netease:186016', 'local:a.mp3', 'local:c.mp3']);
    expect(stations.has('jazz')).toBe(true);
  });
});
