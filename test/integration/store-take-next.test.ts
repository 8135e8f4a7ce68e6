import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, createStore, NO_REPEAT_WINDOW, NotFoundError, type Store } from '../../src/store/index.js';
import { dumpRedis, startRedis, type RedisServer } from '../support/redis.js';
import { seeded } from '../support/seeded-random.js';

let server: RedisServer;
let redis: Redis;
let store: Store;

const refs = (...ids: number[]) => ids.map((id) => `netease:${id}`);
const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

async function takeRefs(station: string, count: number): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < count; i += 1) out.push((await store.playback.takeNext(station))?.ref ?? null);
  return out;
}

async function station(songs: string[], settings: { mode?: 'order' | 'shuffle'; repeat?: boolean } = {}): Promise<void> {
  await store.playlists.create('p');
  if (songs.length > 0) await store.playlists.add('p', songs);
  await store.stations.create('s', { mount: '/s.mp3', playlist: 'p', ...settings });
}

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushall();
  store = createStore(redis, { random: seeded(42) });
});

describe('takeNextSong in order mode', () => {
  it('plays the playlist in order with positions, and starts over with repeat on', async () => {
    await station(refs(1, 2, 3));
    expect(await store.playback.takeNext('s')).toEqual({ ref: 'netease:1', source: 'playlist', position: 1 });
    expect(await takeRefs('s', 5)).toEqual(refs(2, 3, 1, 2, 3));
  });

  it('returns null after the last song with repeat off, and plays songs appended later', async () => {
    await station(refs(1, 2), { repeat: false });
    expect(await takeRefs('s', 4)).toEqual([...refs(1, 2), null, null]);
    await store.playlists.add('p', refs(3));
    expect(await takeRefs('s', 2)).toEqual([...refs(3), null]);
  });

  it('returns null for an empty playlist and NotFoundError for a missing station', async () => {
    await station([]);
    expect(await store.playback.takeNext('s')).toBeNull();
    await expect(store.playback.takeNext('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('continues after the current song when songs are inserted before it', async () => {
    await station(refs(1, 2, 3, 4));
    await takeRefs('s', 2);
    await store.playlists.insert('p', 1, refs(8, 9));
    expect(await takeRefs('s', 2)).toEqual(refs(3, 4));
  });

  it('plays the song that took its place when the current song is deleted', async () => {
    await station(refs(1, 2, 3, 4));
    await takeRefs('s', 2);
    await store.playlists.delete('p', [2]);
    expect(await takeRefs('s', 2)).toEqual(refs(3, 4));
  });

  it('continues after the current song when earlier songs are deleted', async () => {
    await station(refs(1, 2, 3, 4, 5));
    await takeRefs('s', 3);
    await store.playlists.delete('p', [1, 2]);
    expect(await takeRefs('s', 2)).toEqual(refs(4, 5));
  });

  it('plays a song inserted right after the current one next', async () => {
    await station(refs(1, 2, 3));
    await takeRefs('s', 1);
    await store.playlists.insert('p', 2, refs(7));
    expect(await takeRefs('s', 3)).toEqual(refs(7, 2, 3));
  });

  it('follows the current song when it is moved', async () => {
    await station(refs(1, 2, 3, 4));
    await takeRefs('s', 2);
    await store.playlists.move('p', 2, 4);
    expect(await store.playback.takeNext('s')).toEqual({ ref: 'netease:1', source: 'playlist', position: 1 });
  });

  it('starts a new playlist from its beginning', async () => {
    await station(refs(1, 2, 3));
    await takeRefs('s', 2);
    await store.playlists.create('other');
    await store.playlists.add('other', refs(7, 8));
    await store.stations.update('s', { playlist: 'other' });
    expect(await takeRefs('s', 2)).toEqual(refs(7, 8));
  });
});

describe('takeNextSong with a queue', () => {
  it('plays the queue first, in order, then resumes the playlist where it was', async () => {
    await station(refs(1, 2, 3));
    await takeRefs('s', 1);
    await store.queue.add('s', refs(50, 51));
    await store.queue.addNext('s', refs(40));
    expect(await store.playback.takeNext('s')).toEqual({ ref: 'netease:40', source: 'queue', position: 1 });
    expect(await takeRefs('s', 3)).toEqual(refs(50, 51, 2));
    expect(await store.queue.get('s')).toEqual([]);
  });

  it('plays the queue even when the playlist is over', async () => {
    await station(refs(1), { repeat: false });
    await takeRefs('s', 2);
    await store.queue.add('s', refs(9));
    expect(await takeRefs('s', 2)).toEqual([...refs(9), null]);
  });
});

describe('takeNextSong in shuffle mode', () => {
  it('plays each song once per round, in a new order each round', async () => {
    const songs = refs(...range(8));
    await station(songs, { mode: 'shuffle' });
    const rounds: string[][] = [];
    for (let round = 0; round < 6; round += 1) rounds.push((await takeRefs('s', 8)) as string[]);
    for (const round of rounds) expect([...round].sort()).toEqual([...songs].sort());
    expect(new Set(rounds.map((round) => round.join())).size).toBeGreaterThan(1);
    expect(rounds.some((round) => round.join() !== songs.join())).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])(`never repeats a song within ${NO_REPEAT_WINDOW} plays, across round boundaries (seed %i)`, async (seed) => {
    store = createStore(redis, { random: seeded(seed) });
    const songs = refs(...range(NO_REPEAT_WINDOW + 1));
    await station(songs, { mode: 'shuffle' });
    const rounds = 40;
    const plays = (await takeRefs('s', songs.length * rounds)) as string[];
    for (let i = 0; i < plays.length; i += 1) {
      const window = plays.slice(Math.max(0, i - NO_REPEAT_WINDOW), i);
      expect(window, `play ${i}`).not.toContain(plays[i]);
    }
    for (let round = 0; round < rounds; round += 1) {
      const slice = plays.slice(round * songs.length, (round + 1) * songs.length);
      expect(new Set(slice).size).toBe(songs.length);
    }
  });

  it('still plays each song once per round when the playlist is not longer than the window', async () => {
    const songs = refs(1, 2, 3);
    await station(songs, { mode: 'shuffle' });
    const plays = (await takeRefs('s', 30)) as string[];
    for (let round = 0; round < 10; round += 1) expect(plays.slice(round * 3, round * 3 + 3).sort()).toEqual(songs);
  });

  it('plays one round and stops with repeat off', async () => {
    const songs = refs(...range(6));
    await station(songs, { mode: 'shuffle', repeat: false });
    const plays = await takeRefs('s', 8);
    expect((plays.slice(0, 6) as string[]).sort()).toEqual([...songs].sort());
    expect(plays.slice(6)).toEqual([null, null]);
  });

  it('applies edits within the round: removed songs never come, added songs come in this round', async () => {
    const songs = refs(...range(10));
    await station(songs, { mode: 'shuffle', repeat: false });
    const first = (await takeRefs('s', 3)) as string[];
    const unplayed = songs.filter((ref) => !first.includes(ref));
    const removed = unplayed[0] as string;
    await store.playlists.delete('p', [songs.indexOf(removed) + 1]);
    await store.playlists.add('p', refs(99));
    // 10 songs, 3 played, 1 removed, 1 added: 7 left in this round.
    const rest = await takeRefs('s', 8);
    expect(rest).not.toContain(removed);
    expect(rest).toContain('netease:99');
    expect([...first, ...(rest.slice(0, 7) as string[])].sort()).toEqual([...songs.filter((ref) => ref !== removed), 'netease:99'].sort());
    expect(rest[7]).toBeNull();
  });

  it('reports the playlist position of the song picked', async () => {
    await station(refs(1, 2, 3, 4), { mode: 'shuffle' });
    for (let i = 0; i < 8; i += 1) {
      const next = await store.playback.takeNext('s');
      expect(next?.ref).toBe(`netease:${next?.position}`);
    }
  });
});

describe('peekNextSongs', () => {
  it('shows the queue then the playlist, and changes nothing', async () => {
    await station(refs(1, 2, 3));
    await store.queue.add('s', refs(9));
    const before = await dumpRedis(redis);
    const peeked = await store.playback.peekNext('s', 5);
    expect(peeked).toEqual([
      { ref: 'netease:9', source: 'queue', position: 1 },
      { ref: 'netease:1', source: 'playlist', position: 1 },
      { ref: 'netease:2', source: 'playlist', position: 2 },
      { ref: 'netease:3', source: 'playlist', position: 3 },
      { ref: 'netease:1', source: 'playlist', position: 1 },
    ]);
    expect(await dumpRedis(redis)).toEqual(before);
  });

  it('predicts exactly what shuffle will take, across a round boundary', async () => {
    await station(refs(...range(7)), { mode: 'shuffle' });
    await takeRefs('s', 4);
    const peeked = (await store.playback.peekNext('s', 12)).map((song) => song.ref);
    expect(await takeRefs('s', 12)).toEqual(peeked);
  });

  it('stops where repeat off would stop', async () => {
    await station(refs(1, 2), { repeat: false });
    expect((await store.playback.peekNext('s', 5)).map((song) => song.ref)).toEqual(refs(1, 2));
  });
});
