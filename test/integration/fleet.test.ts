import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createStore, keys } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { listen } from '../support/listener.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type LogEvent, type WorkerProcess } from '../support/worker-process.js';

const STATIONS = ['s1', 's2', 's3', 's4'] as const;
const mountOf = (station: string) => `/${station}.mp3`;
const POLL_MS = 50;

/** Several `relaycast start` processes on one Redis and one Icecast, as a fleet runs them. */
describe('a fleet of workers shares the stations', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let client: Redis;
  let temp: { dir: string; remove: () => Promise<void> };
  const workers: WorkerProcess[] = [];
  const { ok } = cliAgainst(() => ({ REDIS_URL: redis.url, ICECAST_URL: icecast.url }));

  const startOne = async () => {
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword, adminUser: 'admin', adminPassword: icecast.adminPassword },
      relay: { url: relay.url, token: relay.token },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, `cache-${workers.length}`),
      logLevel: 'info',
    });
    workers.push(worker);
    return worker;
  };

  /** Which worker process holds each station's lease now (undefined: nobody). */
  const owners = async (): Promise<Map<string, WorkerProcess | undefined>> => {
    const held = await Promise.all(STATIONS.map((station) => client.hget(keys.lease(station), 'worker')));
    return new Map(STATIONS.map((station, index) => [station, workers.find((worker) => held[index]?.split(':')[1] === String(worker.child.pid))]));
  };
  const countsOf = (map: Map<string, WorkerProcess | undefined>, among: readonly WorkerProcess[]) =>
    among.map((worker) => [...map.values()].filter((owner) => owner === worker).length);

  /** Polls until `done` holds; returns performance.now() of the first poll that saw it. */
  const until = async (done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (await done()) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`not within ${timeoutMs} ms: ${what}`);
  };
  const mountsOnAir = async (stations: readonly string[]) => {
    const sources = new Set((await icecast.status()).sources.map((source) => source.mount));
    return stations.every((station) => sources.has(mountOf(station)));
  };
  const ownedOnlyBy = async (among: readonly WorkerProcess[]) => [...(await owners()).values()].every((owner) => owner !== undefined && among.includes(owner));

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('fleet');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    await Promise.all(['a', 'b', 'c'].map((name, index) => makeTone({ path: join(music, `${name}.m4a`), seconds: 30, frequency: 330 + 110 * index, format: 'm4a', title: name, artist: 'Fleet' })));
    [icecast, redis, relay] = await Promise.all([startIcecast(), startRedis(), startRelay(music)]);
    client = await connectRedis(redis.url);
    const store = createStore(client);
    await store.playlists.create('main');
    await store.playlists.add('main', ['local:a.m4a', 'local:b.m4a', 'local:c.m4a']);
    for (const station of STATIONS) await store.stations.create(station, { mount: mountOf(station), playlist: 'main' });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    client?.disconnect();
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    await temp?.remove();
  });

  it('spreads the stations evenly over two workers and puts every mount on air', async () => {
    const [a, b] = [await startOne(), await startOne()];
    await until(async () => countsOf(await owners(), [a!, b!]).join() === '2,2', 20_000, 'two stations each');
    await until(() => mountsOnAir(STATIONS), 20_000, 'every mount on air');
  });

  it('says which worker plays each station and feeds each fallback: `relaycast workers` and `relaycast now`', async () => {
    await until(async () => JSON.parse(await ok(['workers', '--json'])).unfedFallbacks.length === 0, 10_000, 'every fallback fed');
    const fleet = JSON.parse(await ok(['workers', '--json']));
    const byPid = new Map(fleet.workers.map((worker: { id: string; stations: { station: string }[] }) => [worker.id.split(':')[1], worker]));
    const owned = await owners();
    for (const worker of workers) {
      const listed = byPid.get(String(worker.child.pid)) as { stations: { station: string; token: number; heldMs: number }[] };
      expect(listed.stations.map((held) => held.station).sort()).toEqual(STATIONS.filter((station) => owned.get(station) === worker));
      for (const held of listed.stations) expect(held.token).toBeGreaterThan(0);
    }
    // Each station's fallback is fed by the worker that does not play it: one death never takes both.
    for (const listed of fleet.workers as { stations: { station: string }[]; fallbacks: string[] }[]) {
      expect(listed.fallbacks.sort()).toEqual(STATIONS.filter((station) => !listed.stations.some((held) => held.station === station)));
    }
    expect(fleet.unowned).toEqual([]);
    const text = await ok(['workers']);
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).toMatch(/:\d+:[0-9a-f]{6} {2}2 stations: s\d \(held \d+:\d\d, token \d+\), s\d \(.*; feeds the fallback of s\d, s\d/);
    const now = JSON.parse(await ok(['now', 's1', '--json']));
    expect(now.worker.split(':')[1]).toBe(String(owned.get('s1')!.child.pid));
  });

  it('gives a joining worker its share by hand-over, within ±1', async () => {
    const c = await startOne();
    await until(async () => {
      const counts = countsOf(await owners(), workers);
      return counts.reduce((sum, count) => sum + count, 0) === 4 && Math.max(...counts) - Math.min(...counts) <= 1 && counts[2]! >= 1;
    }, 10_000, 'the third worker owning a share');
    expect(countsOf(await owners(), [c])[0]).toBeGreaterThanOrEqual(1);
    await until(() => mountsOnAir(STATIONS), 10_000, 'every mount on air after the hand-over');
  });

  it('puts the stations of a killed worker back on air within 3 s (SIGKILL)', async () => {
    const before = await owners();
    const victim = workers.find((worker) => countsOf(before, [worker])[0]! > 0)!;
    const itsStations = STATIONS.filter((station) => before.get(station) === victim);
    const survivors = workers.filter((worker) => worker !== victim);
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    workers.splice(workers.indexOf(victim), 1);
    const ownedAt = await until(() => ownedOnlyBy(survivors), 10_000, 'the survivors owning every station');
    const onAirAt = await until(() => mountsOnAir(itsStations), 10_000, 'its mounts on air again');
    console.log(`SIGKILL → claimed ${(ownedAt - killedAt).toFixed(0)} ms, on air ${(onAirAt - killedAt).toFixed(0)} ms`);
    expect(onAirAt - killedAt).toBeLessThan(3_000);
    expect(Math.max(...countsOf(await owners(), survivors)) - Math.min(...countsOf(await owners(), survivors))).toBeLessThanOrEqual(1);
  });

  it('hands the stations of a stopping worker over within 1 s (SIGTERM)', async () => {
    const before = await owners();
    const leaving = workers.find((worker) => countsOf(before, [worker])[0]! > 0)!;
    const staying = workers.filter((worker) => worker !== leaving);
    const signalledAt = performance.now();
    const stopping = leaving.stop('SIGTERM');
    const ownedAt = await until(() => ownedOnlyBy(staying), 10_000, 'the staying worker owning every station');
    expect((await stopping).code).toBe(0);
    workers.splice(workers.indexOf(leaving), 1);
    console.log(`SIGTERM → handed over ${(ownedAt - signalledAt).toFixed(0)} ms`);
    expect(ownedAt - signalledAt).toBeLessThan(1_000);
    await until(() => mountsOnAir(STATIONS), 10_000, 'every mount on air after the hand-over');
  });

  it('takes the mounts of a paused worker within 3 s of its leases ending, and fences it out (SIGSTOP)', async () => {
    const paused = await startOne();
    await until(async () => countsOf(await owners(), [paused])[0]! >= 1, 10_000, 'the new worker owning a share');
    await until(() => mountsOnAir(STATIONS), 10_000, 'every mount on air');
    const before = await owners();
    const itsStations = STATIONS.filter((station) => before.get(station) === paused);
    const tokensBefore = await Promise.all(itsStations.map((station) => client.hget(keys.lease(station), 'token')));
    const others = workers.filter((worker) => worker !== paused);
    const sourceStarts = async () => new Map((await icecast.status()).sources.map((source) => [source.mount, source.streamStart]));
    const startsBefore = await sourceStarts();
    const pausedAt = performance.now();
    process.kill(paused.child.pid!, 'SIGSTOP');
    let historyAtResume: string[][] = [];
    let resumedAt = 0;
    try {
      // Its sources keep their TCP connections, so Icecast holds the mounts: the new owners must take them.
      const leasesEndedAt = await until(() => ownedOnlyBy(others), 10_000, 'the others owning the paused worker\'s stations');
      const takenAt = await until(async () => {
        const starts = await sourceStarts();
        return itsStations.every((station) => starts.has(mountOf(station)) && starts.get(mountOf(station)) !== startsBefore.get(mountOf(station)));
      }, 10_000, 'new sources on its mounts');
      console.log(`SIGSTOP → mounts taken ${(takenAt - leasesEndedAt).toFixed(0)} ms after the leases passed on`);
      expect(takenAt - leasesEndedAt).toBeLessThan(3_000);
      // Paused for 15 s in all, as a long GC pause or a partition would: then it wakes to what the others wrote.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pausedAt + 15_000 - performance.now())));
      historyAtResume = await Promise.all(itsStations.map((station) => client.lrange(keys.history(station), 0, -1)));
    } finally {
      resumedAt = Date.now();
      process.kill(paused.child.pid!, 'SIGCONT');
    }
    for (const station of itsStations) {
      await paused.waitForEvent((event) => event.msg.startsWith('lease lost') && event.station === station, 5_000).catch((error: Error) => {
        const recent = paused.events.slice(-20).map((event) => `${event.msg}${event.station ? ` [${event.station}]` : ''}`);
        throw new Error(`${error.message}; the woken worker's last events: ${recent.join(' | ')}`);
      });
    }
    // Every later hold of those stations, the woken worker's own included, carried a larger token.
    const tokensAfter = await Promise.all(itsStations.map((station) => client.get(keys.leaseToken(station))));
    tokensAfter.forEach((token, index) => expect(Number(token)).toBeGreaterThan(Number(tokensBefore[index])));
    expect(paused.events.some((event) => event.msg.startsWith('lease lapsed and claimed again'))).toBe(false);
    // It wrote nothing with its old leases: the songs it started on waking, before it claimed a station anew
    // (as a joining worker would), are not in the history; every entry added since is a song started under a
    // current lease (by the new owners, or by the woken worker once it had claimed the station again). A song
    // is logged a moment before its history entry is written, so the two are compared until they agree.
    for (const [index, station] of itsStations.entries()) {
      const sinceWaking = (event: LogEvent) => event.station === station && Date.parse(String(event.time)) >= resumedAt;
      const compare = async () => {
        const history = await client.lrange(keys.history(station), 0, -1);
        const added = history.slice(0, history.length - historyAtResume[index]!.length).map((entry) => JSON.parse(entry) as { ref: string; startedAt: number });
        const claimedAgain = paused.events.find((event) => sinceWaking(event) && event.msg.startsWith('lease claimed'));
        const staleUntil = claimedAgain ? Date.parse(String(claimedAgain.time)) : Number.POSITIVE_INFINITY;
        const startedStale = paused.events.filter((event) => sinceWaking(event) && event.msg === 'now playing' && Date.parse(String(event.time)) < staleUntil);
        const startedCurrent = workers
          .flatMap((worker) => worker.events.filter((event) => sinceWaking(event) && event.msg === 'now playing' && !startedStale.includes(event)))
          .sort((a, b) => Date.parse(String(a.time)) - Date.parse(String(b.time)));
        return { added, startedStale, expected: startedCurrent.map((event) => event.song).reverse() };
      };
      await until(async () => {
        const { added, expected } = await compare();
        return JSON.stringify(added.map((entry) => entry.ref)) === JSON.stringify(expected);
      }, 5_000, `history of ${station} agreeing with the songs started under current leases`).catch(() => undefined);
      const { added, startedStale, expected } = await compare();
      expect(added.map((entry) => entry.ref), `history entries of ${station} since the paused worker woke`).toEqual(expected);
      for (const stale of startedStale) expect(added.some((entry) => Math.abs(entry.startedAt - Date.parse(String(stale.time))) < 50)).toBe(false);
    }
    await until(() => mountsOnAir(STATIONS), 15_000, 'every mount on air again');
  });

  it('rides through a Redis restart: every station keeps its worker and its listeners, nothing stored is lost', async () => {
    await until(async () => (await ownedOnlyBy(workers)) && countsOf(await owners(), workers).every((count) => count === 2), 15_000, 'two stations each');
    await until(() => mountsOnAir(STATIONS), 15_000, 'every mount on air');
    const before = await owners();
    // The shares may still be settling after the pause test: a mount can be between owners for a moment.
    const listenWhenUp = async (url: string) => {
      let listener: Awaited<ReturnType<typeof listen>> | undefined;
      await until(async () => Boolean((listener = await listen(url).catch(() => undefined))), 10_000, `a listener on ${url}`);
      return listener!;
    };
    const listeners = await Promise.all(STATIONS.map((station) => listenWhenUp(`${icecast.url}${mountOf(station)}`)));
    try {
      await Promise.all(listeners.map((listener) => listener.waitForBytes(16_000, 10_000)));
      const storedBefore = await Promise.all([client.smembers(keys.stations), client.lrange(keys.playlist('main'), 0, -1)]);
      const seenBefore = workers.map((worker) => worker.events.length);
      // Down for longer than a lease lives: every lease and registration lapses, as after a real outage.
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await redis.start();
      client.disconnect();
      client = await connectRedis(redis.url);
      await until(async () => [...(await owners())].every(([station, owner]) => owner === before.get(station)), 10_000, 'each station held again by the same worker').catch((error: Error) => {
        const seen = workers.map((worker, index) => `${worker.child.pid}: ${worker.events.slice(seenBefore[index]).map((event) => `${event.msg}${event.station ? ` [${event.station}]` : ''}`).join(' | ')}`);
        throw new Error(`${error.message}; the workers said: ${seen.join(' // ')}`);
      });
      await Promise.all(listeners.map((listener) => listener.waitForBytes(listener.byteCount + 16_000 * 3, 10_000)));
      for (const listener of listeners) expect(listener.disconnected).toBeUndefined();
      const storedAfter = await Promise.all([client.smembers(keys.stations), client.lrange(keys.playlist('main'), 0, -1)]);
      expect(storedAfter.map((list) => [...list].sort())).toEqual(storedBefore.map((list) => [...list].sort()));
      workers.forEach((worker, index) => expect(worker.events.slice(seenBefore[index]).filter((event) => event.msg.startsWith('lease lost'))).toEqual([]));
    } finally {
      for (const listener of listeners) listener.close();
    }
  });
});
