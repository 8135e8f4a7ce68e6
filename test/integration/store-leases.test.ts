import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, createStore, keys, LeaseLostError, type PlayedSong, type Store } from '../../src/store/index.js';
import { startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url);
  store = createStore(redis);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushall();
  await store.playlists.create('p');
  await store.playlists.add('p', ['netease:1', 'netease:2', 'netease:3']);
  await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
});

const played = (ref: string): PlayedSong => ({ ref, title: ref, artist: '', startedAt: 1, source: 'playlist', position: 1 });

/** Ends a lease as its TTL would, without waiting for it. */
const expire = (station: string) => redis.del(keys.lease(station));

describe('station leases', () => {
  it('gives a station to one worker at a time and extends the holder\'s own claim', async () => {
    const first = await store.leases.claim('s', 'w1', 2_000);
    expect(first).toEqual({ station: 's', worker: 'w1', token: 1 });
    expect(await store.leases.claim('s', 'w2', 2_000)).toBeNull();
    expect(await store.leases.claim('s', 'w1', 2_000)).toEqual(first);
    expect(await redis.pttl(keys.lease('s'))).toBeGreaterThan(1_000);
  });

  it('hands out a larger token with every new hold, the same worker after a lapse included', async () => {
    const tokens: number[] = [];
    for (const worker of ['w1', 'w2', 'w1']) {
      tokens.push((await store.leases.claim('s', worker, 2_000))!.token);
      await expire('s');
    }
    expect(tokens).toEqual([1, 2, 3]);
  });

  it('lets a lease lapse after its TTL', async () => {
    await store.leases.claim('s', 'w1', 150);
    const deadline = Date.now() + 5_000;
    while ((await redis.exists(keys.lease('s'))) === 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.leases.claim('s', 'w2', 2_000)).toMatchObject({ worker: 'w2', token: 2 });
  });

  it('renews and releases only the holder\'s own lease', async () => {
    const lease = (await store.leases.claim('s', 'w1', 2_000))!;
    expect(await store.leases.renew(lease, 2_000)).toBe(true);
    expect(await store.leases.renew({ ...lease, worker: 'w2' }, 2_000)).toBe(false);
    expect(await store.leases.release({ ...lease, token: 99 })).toBe(false);
    expect(await store.leases.release(lease)).toBe(true);
    expect(await store.leases.renew(lease, 2_000)).toBe(false);
  });

  it('claims a lapsed lease again only when no other worker held the station since', async () => {
    const first = (await store.leases.claim('s', 'w1', 2_000))!;
    await expire('s');
    const again = (await store.leases.claim('s', 'w1', 2_000, first))!;
    expect(again.token).toBeGreaterThan(first.token);
    await expire('s');
    const other = (await store.leases.claim('s', 'w2', 2_000))!;
    await store.leases.release(other);
    expect(await store.leases.claim('s', 'w1', 2_000, again)).toBeNull();
  });

  it('does not lease a station that does not exist', async () => {
    expect(await store.leases.claim('gone', 'w1', 2_000)).toBeNull();
  });
});

describe('fenced play-state writes', () => {
  it('lets the holder take songs and record them', async () => {
    const lease = (await store.leases.claim('s', 'w1', 2_000))!;
    expect(await store.playback.takeNext('s', lease)).toMatchObject({ ref: 'netease:1' });
    await store.playback.setNowPlaying('s', played('netease:1'), lease);
    await store.playback.appendHistory('s', played('netease:1'), lease);
    expect((await store.playback.getHistory('s')).map((song) => song.ref)).toEqual(['netease:1']);
  });

  it('refuses every write of a worker whose lease passed to another, and changes nothing', async () => {
    const old = (await store.leases.claim('s', 'w1', 2_000))!;
    await expire('s');
    const current = (await store.leases.claim('s', 'w2', 2_000))!;
    await store.playback.setNowPlaying('s', played('netease:1'), current);
    const before = await Promise.all([redis.hgetall(keys.cursor('s')), redis.get(keys.nowPlaying('s')), redis.lrange(keys.history('s'), 0, -1)]);
    await expect(store.playback.takeNext('s', old)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(store.playback.setNowPlaying('s', played('netease:2'), old)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(store.playback.appendHistory('s', played('netease:2'), old)).rejects.toBeInstanceOf(LeaseLostError);
    const after = await Promise.all([redis.hgetall(keys.cursor('s')), redis.get(keys.nowPlaying('s')), redis.lrange(keys.history('s'), 0, -1)]);
    expect(after).toEqual(before);
  });

  it('refuses the writes of a lease that lapsed with nobody holding the station', async () => {
    const lease = (await store.leases.claim('s', 'w1', 2_000))!;
    await expire('s');
    await expect(store.playback.takeNext('s', lease)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('peeks without a lease, whoever holds the station', async () => {
    await store.leases.claim('s', 'w1', 2_000);
    expect((await store.playback.peekNext('s', 2)).map((song) => song.ref)).toEqual(['netease:1', 'netease:2']);
  });
});

describe('live workers', () => {
  it('lists the workers whose registration has not ended, sorted, and forgets one that leaves', async () => {
    expect(await store.leases.heartbeat('w2', 2_000)).toEqual(['w2']);
    expect(await store.leases.heartbeat('w1', 2_000)).toEqual(['w1', 'w2']);
    await store.leases.heartbeat('w3', 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await store.leases.heartbeat('w1', 2_000)).toEqual(['w1', 'w2']);
    await store.leases.leave('w2');
    expect(await store.leases.heartbeat('w1', 2_000)).toEqual(['w1']);
  });
});

describe('fallback leases', () => {
  it('are held apart from the play lease: one worker plays a station while another feeds its fallback', async () => {
    const play = (await store.leases.claim('s', 'w1', 2_000))!;
    const feed = (await store.leases.claimFallback('s', 'w2', 2_000))!;
    expect(feed).toMatchObject({ station: 's', worker: 'w2' });
    expect(await store.leases.claimFallback('s', 'w1', 2_000)).toBeNull();
    expect(await store.leases.renew(play, 2_000)).toBe(true);
    expect(await store.leases.renewFallback(feed, 2_000)).toBe(true);
    // The fallback's hold is no fence for the station's play state.
    await expect(store.playback.takeNext('s', feed)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.leases.releaseFallback(feed)).toBe(true);
    expect(await store.leases.claimFallback('s', 'w1', 2_000)).toMatchObject({ worker: 'w1' });
  });

  it('the fleet says who plays and who feeds each station, which workers are fallback-only, and who lapsed', async () => {
    await store.leases.heartbeat('w1', 2_000);
    await store.leases.heartbeat('fb', 2_000, 'fallback');
    await store.leases.claim('s', 'w1', 2_000);
    await store.leases.claimFallback('s', 'fb', 2_000);
    expect(await store.leases.fleet()).toEqual({
      workers: [
        { id: 'fb', role: 'fallback', live: true, stations: [], fallbacks: ['s'] },
        { id: 'w1', role: 'player', live: true, stations: [expect.objectContaining({ station: 's' })], fallbacks: [] },
      ],
      unowned: [],
      unfedFallbacks: [],
    });
    await store.leases.leave('w1');
    await store.leases.leave('fb', 'fallback');
    const fleet = await store.leases.fleet();
    expect(fleet.workers.map((worker) => [worker.id, worker.live])).toEqual([['fb', false], ['w1', false]]);
  });
});
