import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallbackMountOf } from '../../src/station-rules/index.js';
import { connectRedis, createStore, keys, type Store } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { decodePcm, dominantTone } from '../support/decode.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { spawnWorker, startWorker, type WorkerProcess } from '../support/worker-process.js';

const STATIONS = Array.from({ length: 12 }, (_, index) => `s${String(index + 1).padStart(2, '0')}`);
const mountOf = (station: string) => `/${station}.mp3`;
/** Playlist songs: 30 s tones, each its own frequency, so a listener's audio says which one it hears. */
const SONGS = [
  { name: 'a', frequency: 330 },
  { name: 'b', frequency: 440 },
  { name: 'c', frequency: 550 },
] as const;
/** Queued songs, short so a test can wait for them to play. */
const QUEUED = [
  { name: 'q1', frequency: 660 },
  { name: 'q2', frequency: 770 },
] as const;
const POLL_MS = 50;
/** Icecast's error log line for a SIGHUP it acted on (deploy/icecast/icecast-run sends it when the config changed). */
const RELOAD_LINE = 'Caught config reload request';
/** Icecast's slave thread applies a re-read config to running sources once a second. */
const ICECAST_APPLY_CYCLE_MS = 1_200;
const reloadCount = async (server: IcecastServer) => (await server.errorLog()).split(RELOAD_LINE).length - 1;
const BYTES_PER_SECOND = 16_000;

/**
 * Listeners through a fleet's failovers: three `relaycast start` processes on one Redis and one Icecast, which
 * runs as compose runs it (deploy/icecast/icecast-run, its station mounts and fallbacks rendered from Redis by
 * `relaycast icecast-config`), an edge Icecast relaying it, and listeners that must never be disconnected.
 */
describe('a fleet keeps every listener through failovers, restarts and new stations', () => {
  let icecast: IcecastServer;
  let edge: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let client: Redis;
  let store: Store;
  let temp: { dir: string; remove: () => Promise<void> };
  const workers: WorkerProcess[] = [];
  const writers: WorkerProcess[] = [];
  const listeners: Listener[] = [];
  const { ok } = cliAgainst(() => ({ REDIS_URL: redis.url }));

  const startOne = async () => {
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword, adminUser: 'admin', adminPassword: icecast.adminPassword },
      relay: { url: relay.url, token: relay.token },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'info',
    });
    workers.push(worker);
    return worker;
  };
  const startWriter = (target: IcecastServer, env: Record<string, string> = {}) => {
    const writer = spawnWorker(['icecast-config'], { ICECAST_BASE_CONFIG_PATH: target.baseConfigPath, ICECAST_CONFIG_PATH: target.configPath, REDIS_URL: redis.url, LOG_LEVEL: 'info', ...env });
    writers.push(writer);
    return writer;
  };
  const listenTo = async (url: string) => {
    const listener = await listen(url, { icyMetadata: true });
    listeners.push(listener);
    listenerUrls.set(listener, url);
    return listener;
  };

  /** Polls until `done` holds; returns performance.now() of the first poll that saw it. */
  const until = async (done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (await done().catch(() => false)) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const state = await store.leases.fleet().catch(() => undefined);
    throw new Error(`not within ${timeoutMs} ms: ${what}; the fleet: ${JSON.stringify(state)}`);
  };

  type FleetJson = { workers: { id: string; live: boolean; stations: { station: string }[]; fallbacks: string[] }[]; unowned: string[]; unfedFallbacks: string[] };
  const fleet = async (): Promise<FleetJson> => (await store.leases.fleet()) as unknown as FleetJson;
  const pidOf = (id: string) => Number(id.split(':')[1]);
  const ownerOf = async (station: string) => {
    const worker = await client.hget(keys.lease(station), 'worker');
    return workers.find((candidate) => worker !== null && pidOf(worker) === candidate.child.pid);
  };
  /** Every station played by one of `among`, shares ±1, every fallback fed by a live worker that does not play it. */
  const settled = async (among: readonly WorkerProcess[]) => {
    const now = await fleet();
    const live = now.workers.filter((worker) => worker.live);
    const pids = new Set(among.map((worker) => worker.child.pid));
    if (now.unowned.length > 0 || now.unfedFallbacks.length > 0 || live.length !== among.length || !live.every((worker) => pids.has(pidOf(worker.id)))) return false;
    const counts = live.map((worker) => worker.stations.length);
    if (Math.max(...counts) - Math.min(...counts) > 1) return false;
    return live.every((worker) => worker.fallbacks.every((station) => !worker.stations.some((held) => held.station === station)));
  };
  /** Sources Icecast carries now, hidden fallback mounts included (the admin list shows them). */
  const mountsAt = async (server: IcecastServer): Promise<Set<string>> => {
    const response = await fetch(`${server.url}/admin/listmounts`, { headers: { authorization: `Basic ${Buffer.from(`admin:${server.adminPassword}`).toString('base64')}` } });
    const xml = await response.text();
    return new Set([...xml.matchAll(/<source mount="([^"]+)"/g)].map((match) => match[1]!));
  };
  const onAirWithFallbacks = async (server: IcecastServer, stations: readonly string[]) => {
    const mounts = await mountsAt(server);
    return stations.every((station) => mounts.has(mountOf(station)) && mounts.has(fallbackMountOf(mountOf(station))));
  };
  const configHas = async (server: IcecastServer, station: string) => {
    const config = await readFile(server.configPath, 'utf8');
    return config.includes(`<mount-name>${mountOf(station)}</mount-name>`) && config.includes(`<fallback-mount>${fallbackMountOf(mountOf(station))}</fallback-mount>`);
  };
  const listenerUrls = new Map<Listener, string>();
  const expectConnected = (among: readonly Listener[]) => {
    for (const listener of among) expect(listener.disconnected, `the listener of ${listenerUrls.get(listener)} was disconnected`).toBeUndefined();
  };
  /** performance.now() of the first title after `since` that `matches`. */
  const titleAfter = async (listener: Listener, since: number, matches: (title: string) => boolean, timeoutMs: number) => {
    const find = () => listener.titles.find((seen) => seen.at > since && matches(seen.title));
    await until(async () => find() !== undefined, timeoutMs, `a matching title after the event (got ${JSON.stringify(listener.titles.map((seen) => seen.title))})`);
    return find()!;
  };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server', 'setpriv');
    temp = await makeTempDir('fleet-failover');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    await Promise.all([
      ...SONGS.map(({ name, frequency }) => makeTone({ path: join(music, `${name}.m4a`), seconds: 30, frequency, format: 'm4a', title: name, artist: 'Fleet' })),
      ...QUEUED.map(({ name, frequency }) => makeTone({ path: join(music, `${name}.m4a`), seconds: 4, frequency, format: 'm4a', title: name, artist: 'Queue' })),
    ]);
    [icecast, edge, redis, relay] = await Promise.all([startIcecast({ viaIcecastRun: true }), startIcecast({ viaIcecastRun: true }), startRedis(), startRelay(music)]);
    client = await connectRedis(redis.url);
    store = createStore(client);
    await store.playlists.create('main');
    await store.playlists.add('main', SONGS.map(({ name }) => `local:${name}.m4a`));
    for (const station of STATIONS) await store.stations.create(station, { mount: mountOf(station), playlist: 'main' });
    startWriter(icecast);
    await until(async () => (await Promise.all(STATIONS.map((station) => configHas(icecast, station)))).every(Boolean), 15_000, 'every station in the config');
  });

  afterAll(async () => {
    for (const listener of listeners) listener.close();
    await Promise.all([...workers, ...writers].map((process) => process.stop('SIGKILL')));
    client?.disconnect();
    await Promise.all([icecast?.stop(), edge?.stop(), redis?.stop(), relay?.stop()]);
    await temp?.remove();
  });

  it('three workers share 12 stations ±1; every station is on air with its fallback fed by a worker that does not play it', async () => {
    await Promise.all([startOne(), startOne(), startOne()]);
    await until(() => settled(workers), 30_000, 'stations and fallbacks shared by the three workers');
    await until(() => onAirWithFallbacks(icecast, STATIONS), 20_000, 'every mount and every fallback mount on air');
    const counts = (await fleet()).workers.map((worker) => worker.stations.length);
    expect(counts).toEqual([4, 4, 4]);
    // The edge relays both mounts of every station. A relay that finds a mount missing on the master (a
    // fallback feed changing hands as the fleet settles) is retried within EDGE_RELAY_RETRY_SECONDS.
    startWriter(edge, { ICECAST_EDGE_MASTER: `127.0.0.1:${icecast.port}` });
    await until(() => onAirWithFallbacks(edge, STATIONS), 30_000, 'the edge relaying every mount and fallback').catch(async (error) => {
      console.log([...(await mountsAt(edge))], (await edge.errorLog()).slice(-3000));
      throw error;
    });
  });

  it('SIGKILL: listeners of two of its stations stay connected, hear the next song within 3 s, and no queued song is lost or played twice', async () => {
    const now = await fleet();
    const victimId = now.workers.find((worker) => worker.stations.length >= 2)!.id;
    const victim = workers.find((worker) => worker.child.pid === pidOf(victimId))!;
    const [first, second] = now.workers.find((worker) => worker.id === victimId)!.stations.map((held) => held.station);
    await ok(['queue', 'add', first!, 'local:q1.m4a', 'local:q2.m4a']);
    const onMaster = await Promise.all([first!, second!].map((station) => listenTo(`${icecast.url}${mountOf(station)}`)));
    const onEdge = await listenTo(`${edge.url}${mountOf(first!)}`);
    await Promise.all([...onMaster, onEdge].map((listener) => listener.waitForBytes(BYTES_PER_SECOND * 2, 10_000)));
    await Promise.all([...onMaster, onEdge].map((listener) => listener.waitForTitle(() => true, 10_000)));
    const historyBefore = await client.llen(keys.history(first!));
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    workers.splice(workers.indexOf(victim), 1);
    // The queue's first song is the next song of the programme: its title reaches the listener of that station.
    const heard = await titleAfter(onMaster[0]!, killedAt, (title) => title.includes('q1'), 10_000);
    const secondHeard = await titleAfter(onMaster[1]!, killedAt, (title) => title.includes('Fleet'), 10_000);
    console.log(`SIGKILL → next title at the listeners after ${(heard.at - killedAt).toFixed(0)} / ${(secondHeard.at - killedAt).toFixed(0)} ms`);
    expect(heard.at - killedAt).toBeLessThan(3_000);
    expect(secondHeard.at - killedAt).toBeLessThan(3_000);
    await titleAfter(onEdge, killedAt, (title) => title.includes('q1'), 10_000);
    // Both queued songs play once each, in order, and leave the queue.
    await until(async () => (await store.queue.get(first!)).length === 0 && onMaster[0]!.titles.some((seen) => seen.at > killedAt && seen.title.includes('q2')), 20_000, 'both queued songs played');
    const added = (await client.lrange(keys.history(first!), 0, -1)).slice(0, (await client.llen(keys.history(first!))) - historyBefore).map((entry) => JSON.parse(entry).ref as string);
    expect(added.filter((ref) => ref.startsWith('local:q'))).toEqual(['local:q2.m4a', 'local:q1.m4a']);
    // What the listener heard after the kill is the queued song's tone, not only the fallback's silence.
    const audio = onMaster[0]!.audio().subarray(-BYTES_PER_SECOND * 6);
    const pcm = await decodePcm(audio);
    expect(dominantTone(pcm, 44_100, [...SONGS, ...QUEUED].map((song) => song.frequency))).toBeDefined();
    expectConnected([...onMaster, onEdge]);
    await until(() => settled(workers), 15_000, 'the two survivors sharing every station and fallback');
  });

  it('a rolling restart of every worker, one by one, disconnects no listener (SIGTERM hand-over within 1 s each)', async () => {
    for (let started = workers.length; started < 3; started += 1) await startOne();
    await until(() => settled(workers), 30_000, 'three workers settled');
    const everywhere = await Promise.all(STATIONS.map((station) => listenTo(`${icecast.url}${mountOf(station)}`)));
    const onEdge = await listenTo(`${edge.url}${mountOf(STATIONS[0]!)}`);
    await Promise.all([...everywhere, onEdge].map((listener) => listener.waitForBytes(BYTES_PER_SECOND, 10_000)));
    for (const leaving of [...workers]) {
      const itsStations = (await fleet()).workers.find((worker) => pidOf(worker.id) === leaving.child.pid)!.stations.map((held) => held.station);
      const [termAt, termWallClock] = [performance.now(), Date.now()];
      await leaving.stop('SIGTERM');
      workers.splice(workers.indexOf(leaving), 1);
      // On air again = a worker that stays logged its source of the station streaming after the SIGTERM.
      const streamingAgain = (station: string) =>
        workers.some((worker) => worker.events.some((event) => event.msg.startsWith('streaming to Icecast') && event.mount === mountOf(station) && Date.parse(String(event.time)) >= termWallClock));
      const handedAt = await until(async () => itsStations.every(streamingAgain), 10_000, 'the leaving worker\'s stations on air under their new owners').catch((error: Error) => {
        const said = workers.map((worker) => worker.events.filter((event) => itsStations.includes(String(event.station)) && Date.parse(String(event.time)) >= termWallClock - 500).map((event) => `${event.time} ${event.station} ${event.mount ?? ''} ${event.msg}`).join(' | '));
        throw new Error(`${error.message}; stations ${itsStations.join()}; the workers said: ${said.join(' // ')}`);
      });
      console.log(`SIGTERM → its ${itsStations.length} stations on air again after ${(handedAt - termAt).toFixed(0)} ms`);
      expect(handedAt - termAt).toBeLessThan(1_000 + POLL_MS * 4);
      await startOne();
      await until(() => settled(workers), 30_000, 'the fleet settled after the restart');
      await until(() => onAirWithFallbacks(icecast, STATIONS), 10_000, 'every mount and fallback on air');
      expectConnected([...everywhere, onEdge]);
    }
    const counts = [...everywhere, onEdge].map((listener) => listener.byteCount);
    await until(async () => [...everywhere, onEdge].every((listener, index) => listener.byteCount > counts[index]! + BYTES_PER_SECOND), 10_000, 'every listener still receiving');
    expectConnected([...everywhere, onEdge]);
    for (const listener of [...everywhere, onEdge]) listener.close();
  });

  it('a station created while the workers run is owned, in Icecast\'s config, on air and has its fallback fed within 2 s', async () => {
    const station = 's13';
    const reloads = await reloadCount(icecast);
    await ok(['station', 'create', station, '--mount', mountOf(station), '--playlist', 'main']);
    const createdAt = performance.now();
    const fedByAnother = async () => (await fleet()).workers.some((worker) => worker.fallbacks.includes(station) && !worker.stations.some((held) => held.station === station));
    const ready = async () =>
      (await ownerOf(station)) !== undefined &&
      (await fedByAnother()) &&
      (await configHas(icecast, station)) &&
      (await reloadCount(icecast)) > reloads &&
      (await onAirWithFallbacks(icecast, [station]));
    const readyAt = await until(ready, 10_000, 'the new station owned, on air, its fallback fed and in the config Icecast has re-read');
    console.log(`station create → owned, configured, on air with its fallback after ${(readyAt - createdAt).toFixed(0)} ms`);
    expect(readyAt - createdAt).toBeLessThan(2_000);
    // Icecast 2.4.4 applies a re-read <mount> block to a source already on the mount at its next one-second
    // cycle (measured: a source killed right after the reload line lost its listeners, one killed 1.2 s later
    // kept them); from then on the new station's listeners are protected.
    await new Promise((resolve) => setTimeout(resolve, ICECAST_APPLY_CYCLE_MS));
    const listener = await listenTo(`${icecast.url}${mountOf(station)}`);
    await listener.waitForBytes(BYTES_PER_SECOND, 10_000);
    // Its listeners ride through a failover like any other station's.
    const owner = (await ownerOf(station))!;
    const killedAt = performance.now();
    await owner.stop('SIGKILL');
    workers.splice(workers.indexOf(owner), 1);
    await until(async () => {
      const next = await ownerOf(station);
      return next !== undefined && next !== owner && (await onAirWithFallbacks(icecast, [station]));
    }, 10_000, 'the new station under a new owner');
    await listener.waitForBytes(listener.byteCount + BYTES_PER_SECOND * 2, 10_000).catch(async (error) => {
      console.log((await icecast.errorLog()).split('\n').filter((line) => /s13|reload/.test(line)).join('\n'));
      throw error;
    });
    console.log(`new station's owner killed → on air again after ${(performance.now() - killedAt).toFixed(0)} ms`);
    expectConnected([listener]);
    await startOne();
  });

  it('Redis restarted during a failover: nothing stored is lost, every station and fallback is taken up again, listeners stay', async () => {
    const stations = [...STATIONS, 's13'];
    // Three workers whatever an earlier test left behind: a failure there is reported there, not here again.
    for (let started = workers.length; started < 3; started += 1) await startOne();
    await until(() => settled(workers), 30_000, 'three workers settled');
    const watched = await Promise.all(stations.slice(0, 4).map((station) => listenTo(`${icecast.url}${mountOf(station)}`)));
    await Promise.all(watched.map((listener) => listener.waitForBytes(BYTES_PER_SECOND, 10_000)));
    const storedBefore = await Promise.all([client.smembers(keys.stations), client.lrange(keys.playlist('main'), 0, -1), client.hgetall(keys.mounts)]);
    const victim = (await ownerOf(stations[0]!))!;
    await victim.stop('SIGKILL');
    workers.splice(workers.indexOf(victim), 1);
    await redis.restart();
    client.disconnect();
    client = await connectRedis(redis.url);
    store = createStore(client);
    await until(() => settled(workers), 20_000, 'the survivors holding every station and fallback after the restart');
    await until(() => onAirWithFallbacks(icecast, stations), 10_000, 'every mount and fallback on air');
    const storedAfter = await Promise.all([client.smembers(keys.stations), client.lrange(keys.playlist('main'), 0, -1), client.hgetall(keys.mounts)]);
    expect([[...storedAfter[0]].sort(), storedAfter[1], storedAfter[2]]).toEqual([[...storedBefore[0]].sort(), storedBefore[1], storedBefore[2]]);
    await Promise.all(watched.map((listener) => listener.waitForBytes(listener.byteCount + BYTES_PER_SECOND * 2, 10_000)));
    expectConnected(watched);
  });
});
