import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import {
  ConflictError,
  connectRedis,
  createStore,
  followEvents,
  HISTORY_LIMIT,
  keys,
  NotFoundError,
  StoreUnavailableError,
  ValidationError,
  type EventFollower,
  type PlayedSong,
  type Store,
  type StoreEvent,
} from '../../src/store/index.js';
import { seedStations } from '../../src/worker/seed.js';
import { freePort } from '../support/ports.js';
import { dumpRedis, startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;
let store: Store;
let clock = 1_700_000_000_000;
let events: StoreEvent[];
let subscription: EventFollower;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url);
  subscription = followEvents(redis, { onEvent: (event) => events.push(event) });
  await subscription.subscribed;
});

afterAll(async () => {
  subscription?.close();
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushall();
  events = [];
  clock = 1_700_000_000_000;
  store = createStore(redis, { clock: () => clock, random: () => 0.25 });
});

/** Events arrive on another connection: a PING round trip on it would not order them, so poll briefly. */
async function eventsSoon(count: number): Promise<StoreEvent[]> {
  for (let i = 0; i < 100 && events.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return events;
}

async function setupStation(): Promise<void> {
  await store.playlists.create('p');
  await store.playlists.add('p', ['netease:1', 'netease:2']);
  await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
}

describe('events', () => {
  it('publishes one event per edit, in order', async () => {
    await setupStation();
    await store.playlists.insert('p', 1, ['netease:3']);
    await store.queue.add('s', ['netease:4']);
    await store.queue.addNext('s', ['netease:5'], { now: true });
    await store.stations.update('s', { mode: 'shuffle' }, { now: true });
    await store.stations.skip('s');
    await store.playlists.rename('p', 'q');
    await store.stations.remove('s');
    expect(await eventsSoon(12)).toEqual([
      { type: 'playlist-changed', playlist: 'p' },
      { type: 'playlist-changed', playlist: 'p' },
      { type: 'station-changed', station: 's' },
      { type: 'playlist-changed', playlist: 'p' },
      { type: 'queue-changed', station: 's', now: false },
      { type: 'queue-changed', station: 's', now: true },
      { type: 'station-changed', station: 's', now: true },
      { type: 'skip', station: 's' },
      { type: 'playlist-changed', playlist: 'p' },
      { type: 'playlist-changed', playlist: 'q' },
      { type: 'station-changed', station: 's' },
      { type: 'station-removed', station: 's' },
    ]);
  });

  it('publishes nothing and changes nothing when an edit fails', async () => {
    await setupStation();
    await eventsSoon(3);
    events = [];
    const before = await dumpRedis(redis);
    const failures: [() => Promise<unknown>, new (...args: never[]) => Error][] = [
      [() => store.playlists.delete('p', [1, 3]), NotFoundError],
      [() => store.playlists.insert('p', 4, ['netease:9']), NotFoundError],
      [() => store.playlists.move('p', 1, 3), NotFoundError],
      [() => store.playlists.add('nope', ['netease:9']), NotFoundError],
      [() => store.playlists.add('p', ['netease:9', 'bad']), ValidationError],
      [() => store.playlists.create('p'), ConflictError],
      [() => store.playlists.remove('p'), ConflictError],
      [() => store.playlists.rename('p', 'p'), ConflictError],
      [() => store.stations.create('t', { mount: '/s.mp3', playlist: 'p' }), ConflictError],
      [() => store.stations.create('t', { mount: '/t.mp3', playlist: 'nope' }), NotFoundError],
      [() => store.stations.update('s', { playlist: 'nope', mode: 'shuffle' }), NotFoundError],
      [() => store.queue.remove('s', [1]), NotFoundError],
      [() => store.queue.add('nope', ['netease:1']), NotFoundError],
      [() => store.stations.skip('nope'), NotFoundError],
    ];
    for (const [edit, type] of failures) await expect(edit()).rejects.toBeInstanceOf(type);
    expect(await dumpRedis(redis)).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);
  });
});

describe('playlists and stations', () => {
  it('renames a playlist and the stations playing it follow', async () => {
    await setupStation();
    expect(await store.playlists.rename('p', 'evening')).toBe(1);
    expect((await store.stations.get('s')).playlist).toBe('evening');
    expect(await store.playlists.get('evening')).toEqual(['netease:1', 'netease:2']);
    await expect(store.playlists.get('p')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('quotes names in messages the way the CLI shows input', async () => {
    await store.playlists.create('rock/pop "live"');
    await expect(store.playlists.create('rock/pop "live"')).rejects.toThrow('playlist "rock/pop \\"live\\"" already exists');
  });

  it('keeps an emptied playlist, and lists playlists with lengths', async () => {
    await setupStation();
    await store.playlists.create('empty');
    await store.playlists.clear('p');
    expect(await store.playlists.list()).toEqual([
      { name: 'empty', length: 0 },
      { name: 'p', length: 0 },
    ]);
  });

  it('moves, deletes repeated positions once, and shuffles without losing songs', async () => {
    await store.playlists.create('p');
    await store.playlists.add('p', ['netease:1', 'netease:2', 'netease:3', 'netease:4']);
    await store.playlists.move('p', 4, 1);
    expect(await store.playlists.get('p')).toEqual(['netease:4', 'netease:1', 'netease:2', 'netease:3']);
    expect(await store.playlists.delete('p', [2, 2, 4])).toBe(2);
    expect(await store.playlists.get('p')).toEqual(['netease:4', 'netease:2']);
    await store.playlists.add('p', ['netease:7', 'netease:8', 'netease:9']);
    await store.playlists.shuffle('p');
    expect((await store.playlists.get('p')).sort()).toEqual(['netease:2', 'netease:4', 'netease:7', 'netease:8', 'netease:9']);
    expect(await store.playlists.get('p', { start: 1, end: 3 })).toHaveLength(2);
    expect(await store.playlists.get('p', { start: 2, end: 2 })).toEqual([]);
  });

  it('frees the mount of a removed or re-mounted station', async () => {
    await setupStation();
    await store.stations.update('s', { mount: '/new.mp3' });
    await store.stations.create('t', { mount: '/s.mp3', playlist: 'p' });
    await store.stations.remove('s');
    await store.stations.create('u', { mount: '/new.mp3', playlist: 'p', format: { bitrateKbps: 192 } });
    expect((await store.stations.list()).map((station) => [station.name, station.mount, station.format.bitrateKbps])).toEqual([
      ['t', '/s.mp3', 128],
      ['u', '/new.mp3', 192],
    ]);
  });

  it('stores the match setting, on by default, and reads a station stored before the setting existed as on', async () => {
    await setupStation();
    expect((await store.stations.get('s')).match).toBe(true);
    expect(await redis.hget(keys.station('s'), 'match')).toBe('1');
    expect((await store.stations.update('s', { match: false })).match).toBe(false);
    expect(await redis.hget(keys.station('s'), 'match')).toBe('0');
    await store.stations.create('t', { mount: '/t.mp3', playlist: 'p', match: false });
    expect((await store.stations.list()).map((station) => [station.name, station.match])).toEqual([
      ['s', false],
      ['t', false],
    ]);
    await redis.hdel(keys.station('s'), 'match');
    expect((await store.stations.get('s')).match).toBe(true);
    await expect(store.stations.update('s', { match: 'off' as unknown as boolean })).rejects.toThrow(/match must be on or off/);
  });

  it('seeds a configured station on a nested mount (/live/radio.mp3): the config and the store follow one mount rule', async () => {
    const config = await loadConfig({ ICECAST_SOURCE_PASSWORD: 'x', STATION_NAME: 'live', STATION_MOUNT: '/live/radio.mp3' });
    await seedStations(store, config, silentLogger());
    expect((await store.stations.get('live')).mount).toBe('/live/radio.mp3');
  });

  it('removes every key of a removed station', async () => {
    await setupStation();
    await store.queue.add('s', ['netease:5']);
    await store.playback.takeNext('s');
    await store.playback.takeNext('s');
    await store.stations.remove('s');
    const left = await redis.keys('*');
    expect(left.filter((key) => key.includes(':s')).sort()).toEqual([]);
  });

  it('imports atomically, replacing or appending', async () => {
    await store.playlists.import('new', ['netease:1', 'netease:2'], { mode: 'append', create: true });
    await store.playlists.import('new', ['netease:3'], { mode: 'append', create: false });
    expect(await store.playlists.get('new')).toEqual(['netease:1', 'netease:2', 'netease:3']);
    await store.playlists.import('new', ['netease:9'], { mode: 'replace', create: false });
    expect(await store.playlists.get('new')).toEqual(['netease:9']);
    await expect(store.playlists.import('missing', ['netease:1'], { mode: 'append', create: false })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('queue, now playing and history', () => {
  it('inserts at the head in the given order, and reading never changes the queue', async () => {
    await setupStation();
    await store.queue.add('s', ['netease:1']);
    await store.queue.addNext('s', ['netease:2', 'netease:3']);
    expect(await store.queue.get('s')).toEqual(['netease:2', 'netease:3', 'netease:1']);
    expect(await store.queue.get('s')).toEqual(['netease:2', 'netease:3', 'netease:1']);
    await store.playback.peekNext('s', 5);
    expect(await store.queue.remove('s', [1, 3])).toBe(2);
    expect(await store.queue.get('s')).toEqual(['netease:3']);
  });

  it('keeps now playing and a bounded history, newest first', async () => {
    await setupStation();
    const song = (i: number): PlayedSong => ({
      ref: `netease:${i}`,
      title: `t${i}`,
      artist: 'a',
      startedAt: clock + i,
      durationMs: 1000,
      source: 'playlist',
      position: 1,
    });
    await store.playback.setNowPlaying('s', song(1));
    expect(await store.playback.getNowPlaying('s')).toEqual(song(1));
    await store.playback.setNowPlaying('s', null);
    expect(await store.playback.getNowPlaying('s')).toBeNull();
    for (let i = 1; i <= HISTORY_LIMIT + 5; i += 1) await store.playback.appendHistory('s', song(i));
    const history = await store.playback.getHistory('s');
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]).toEqual(song(HISTORY_LIMIT + 5));
    expect(await store.playback.getHistory('s', { start: 0, end: 2 })).toHaveLength(2);
    await expect(store.playback.setNowPlaying('gone', song(1))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps a played song\'s http(s) cover; an older entry without one still reads, one with another kind of URL reads without it', async () => {
    await setupStation();
    const song: PlayedSong = { ref: 'netease:1', title: 't', artist: 'a', startedAt: clock, source: 'playlist', position: 1 };
    const cover = 'https://p2.music.126.net/cover.jpg';
    await store.playback.setNowPlaying('s', { ...song, coverUrl: cover });
    expect(await store.playback.getNowPlaying('s')).toEqual({ ...song, coverUrl: cover });
    await store.playback.appendHistory('s', { ...song, coverUrl: cover });
    await redis.lpush(keys.history('s'), JSON.stringify({ ...song, coverUrl: 'javascript:alert(1)' }), JSON.stringify(song));
    expect(await store.playback.getHistory('s')).toEqual([song, song, { ...song, coverUrl: cover }]);
  });
});

describe('caches', () => {
  it('stores an audio URL until the safety margin before it expires, and counts hits and misses', async () => {
    const audio = { url: 'http://cdn/a.mp3?k=1', format: 'mp3', bitrate: 320_000, expiresAt: clock + 60_000 };
    expect(await store.caches.putAudioUrl('netease:1', audio, 10_000)).toBe(true);
    const ttl = await redis.pttl(keys.audioUrl('netease:1'));
    expect(ttl).toBeGreaterThan(49_000);
    expect(ttl).toBeLessThanOrEqual(50_000);
    expect(await store.caches.putAudioUrl('netease:2', { ...audio, expiresAt: clock + 5_000 }, 5_000)).toBe(false);
    expect(await redis.exists(keys.audioUrl('netease:2'))).toBe(0);
    expect(await store.caches.getAudioUrl('netease:1')).toEqual(audio);
    expect(await store.caches.getAudioUrl('netease:2')).toBeNull();
    await store.caches.putUnplayable('netease:3', 'no-rights', 60_000);
    expect(await store.caches.getUnplayable('netease:3')).toEqual({ reason: 'no-rights', at: clock });
    await store.caches.putSongMeta('netease:1', { title: 'T', artist: 'A', durationMs: 1000 });
    expect(await store.caches.getSongMeta('netease:1')).toEqual({ title: 'T', artist: 'A', durationMs: 1000 });
    expect(await redis.pttl(keys.songMeta('netease:1'))).toBeGreaterThan(29 * 86_400_000);
    const stats = await store.caches.stats();
    expect(stats).toEqual({
      songMeta: { entries: 1, hits: 1, misses: 0 },
      audioUrl: { entries: 1, hits: 1, misses: 1 },
      unplayable: { entries: 1, hits: 1, misses: 0 },
      loudness: { measured: 0, minLufs: null, medianLufs: null, maxLufs: null, maxTruePeakDb: null },
    });
  });

  it('keeps a song\'s measured loudness for 30 days, summarised in the stats, and refuses figures that are not numbers', async () => {
    expect(await store.caches.getSongLoudness('netease:1')).toBeNull();
    await store.caches.putSongLoudness('netease:1', { integratedLufs: -18.2, truePeakDb: -0.9 });
    await store.caches.putSongLoudness('netease:2', { integratedLufs: -70, truePeakDb: -Infinity });
    expect(await store.caches.getSongLoudness('netease:1')).toEqual({ integratedLufs: -18.2, truePeakDb: -0.9 });
    expect(await store.caches.getSongLoudness('netease:2')).toEqual({ integratedLufs: -70, truePeakDb: -Infinity });
    expect(await redis.pttl(keys.songLoudness('netease:1'))).toBeGreaterThan(29 * 86_400_000);
    await expect(store.caches.putSongLoudness('netease:3', { integratedLufs: Number.NaN, truePeakDb: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.caches.putSongLoudness('nope', { integratedLufs: -18, truePeakDb: -1 })).rejects.toBeInstanceOf(ValidationError);
    expect((await store.caches.stats()).loudness).toEqual({ measured: 2, minLufs: -70, medianLufs: -44.1, maxLufs: -18.2, maxTruePeakDb: -0.9 });
  });

  it('keeps which ref a matched audio URL belongs to, and reads entries without it', async () => {
    const audio = { url: 'http://cdn/a.mp3?k=1', format: 'mp3', bitrate: null, expiresAt: clock + 60_000 };
    await store.caches.putAudioUrl('netease:1', { ...audio, matchedFrom: 'qq:002wit7s1Tvdlg', matchScore: 0.9 }, 10_000);
    expect(await store.caches.getAudioUrl('netease:1')).toEqual({ ...audio, matchedFrom: 'qq:002wit7s1Tvdlg', matchScore: 0.9 });
    await redis.set(keys.audioUrl('netease:2'), JSON.stringify(audio), 'PX', 60_000);
    expect(await store.caches.getAudioUrl('netease:2')).toEqual(audio);
  });

  it('keeps a song\'s cover with its metadata, and reads entries without one (written before covers were kept)', async () => {
    const meta = { title: 'T', artist: 'A', durationMs: 1000 };
    await store.caches.putSongMeta('netease:1', { ...meta, coverUrl: 'http://p1.music.126.net/a.jpg' });
    expect(await store.caches.getSongMeta('netease:1')).toEqual({ ...meta, coverUrl: 'http://p1.music.126.net/a.jpg' });
    await redis.set(keys.songMeta('netease:2'), JSON.stringify(meta));
    await redis.set(keys.songMeta('netease:3'), JSON.stringify({ ...meta, coverUrl: 'data:image/png;base64,AAAA' }));
    const metas = await store.caches.getSongMetas(['netease:1', 'netease:2', 'netease:3']);
    expect([...metas.values()]).toEqual([{ ...meta, coverUrl: 'http://p1.music.126.net/a.jpg' }, meta, meta]);
  });

  it('treats a corrupted entry as a miss', async () => {
    await redis.set(keys.songMeta('netease:1'), '{not json');
    expect(await store.caches.getSongMeta('netease:1')).toBeNull();
  });

  it('clears caches only, never playlists, stations or queues', async () => {
    await setupStation();
    await store.queue.add('s', ['netease:1']);
    const kept = await dumpRedis(redis);
    await store.caches.putSongMeta('netease:1', { title: 'T', artist: 'A' });
    await store.caches.putUnplayable('netease:2', 'x', 60_000);
    await store.caches.getSongMeta('netease:1');
    await store.caches.putSongLoudness('netease:1', { integratedLufs: -18, truePeakDb: -1 });
    expect(await store.caches.clear()).toBe(3);
    expect(await dumpRedis(redis)).toEqual(kept);
  });
});

describe('unavailable Redis', () => {
  it('fails fast with StoreUnavailableError when nothing listens', async () => {
    const started = Date.now();
    await expect(connectRedis(`redis://127.0.0.1:${await freePort()}`)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('turns a dropped connection into StoreUnavailableError, and a new connection works after a restart', async () => {
    const own = await startRedis();
    try {
      const client = await connectRedis(own.url);
      await own.restart();
      await expect(createStore(client).playlists.list()).rejects.toBeInstanceOf(StoreUnavailableError);
      client.disconnect();
      const again = await connectRedis(own.url);
      expect(await createStore(again).playlists.list()).toEqual([]);
      again.disconnect();
    } finally {
      await own.stop();
    }
  });
});
