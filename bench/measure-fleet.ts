import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { fallbackMountOf } from '../src/station-rules/index.js';
import { connectRedis, createStore, type Fleet, type Store } from '../src/store/index.js';
import type { IcecastServer } from '../test/support/icecast.js';
import type { Listener } from '../test/support/listener.js';
import { startRedis } from '../test/support/redis.js';
import { spawnWorker } from '../test/support/worker-process.js';
import { atMost, type Figure } from './figure.js';
import { benchIcecast, benchListener, logTimeOnPerfClock, statusOnce, type BenchContext } from './harness.js';
import { pollUntil, trackChild, type Scope } from './scope.js';
import { BUILT_CLI_PATH, spawnBenchWorker, type BenchWorkerProcess } from './worker.js';

const NAME = 'fleet';
const STATIONS = ['f1', 'f2', 'f3', 'f4'] as const;
/** The station `station create` adds while the fleet runs. */
const NEW_STATION = 'f5';
/** Three workers: when one leaves, each of its stations still has an owner and a fallback feeder who differ. */
const WORKERS = 3;
const mountOf = (station: string) => `/${station}.mp3`;
const POLL_MS = 20;
const WAIT_MS = 15_000;
/** Leases move one per round (0.4 s) toward fair shares and fallbacks follow a round later: settling takes seconds. */
const SETTLE_MS = 30_000;
/** 128 kb/s MP3. */
const BYTES_PER_SECOND = 16_000;
/** Icecast's error log line for a SIGHUP it acted on (deploy/icecast/icecast-run sends it when the config changed). */
const RELOAD_LINE = 'Caught config reload request';
/** The log line of a source whose connection Icecast accepted (src/icecast/source.ts). */
const STREAMING_LINE = 'streaming to Icecast';
/** A `station create` that takes longer is stuck (Redis is on loopback). */
const CLI_TIMEOUT_MS = 10_000;

interface FleetBench {
  readonly scope: Scope;
  readonly icecast: IcecastServer;
  readonly store: Store;
  readonly redisUrl: string;
  /** The workers running now, in start order. */
  readonly workers: BenchWorkerProcess[];
  start(): Promise<BenchWorkerProcess>;
}

/**
 * The fleet figures of issue 14 with workers as separate processes on one Redis and one Icecast, which runs
 * as compose runs it (deploy/icecast/icecast-run, station mounts and their fallbacks rendered from Redis by
 * `relaycast icecast-config`): a rolling restart with listeners on every mount (disconnects, SIGTERM
 * hand-over); SIGKILL of an owner → music again at its listener; SIGSTOP → the new owner's source on the
 * mount from the moment the leases passed on; `station create` → on air with its fallback.
 */
export async function measureFleet(context: BenchContext): Promise<Figure[]> {
  const fleet = await startFleet(context);
  for (let started = 0; started < WORKERS; started += 1) await fleet.start();
  await settle(fleet, STATIONS, `${WORKERS} workers sharing every station and fallback`);

  context.say(`${NAME}: rolling restart`);
  const listeners = await Promise.all(STATIONS.map((station) => benchListener(fleet.scope, `${fleet.icecast.url}${mountOf(station)}`, { icyMetadata: true })));
  await Promise.all(listeners.map((listener) => listener.waitForBytes(BYTES_PER_SECOND, WAIT_MS)));
  const handOvers: number[] = [];
  for (const leaving of [...fleet.workers]) {
    const itsStations = holdings(await fleet.store.leases.fleet(), leaving);
    const signalledAt = performance.now();
    await leaving.stop();
    fleet.workers.splice(fleet.workers.indexOf(leaving), 1);
    await waitFor(fleet, async () => itsStations.every((station) => streamingSince(fleet, station, signalledAt) !== undefined), "the leaving worker's stations on air under the others");
    handOvers.push(Math.max(signalledAt, ...itsStations.map((station) => streamingSince(fleet, station, signalledAt)!)) - signalledAt);
    await fleet.start();
    await settle(fleet, STATIONS, 'the fleet settled after a restart');
  }
  const lost = await listenersLost(fleet, listeners);

  context.say(`${NAME}: SIGKILL`);
  const victim = await ownerOfSome(fleet);
  const [killedStation] = holdings(await fleet.store.leases.fleet(), victim);
  const listener = listeners[STATIONS.indexOf(killedStation as (typeof STATIONS)[number])]!;
  const killedAt = performance.now();
  victim.child.kill('SIGKILL');
  fleet.workers.splice(fleet.workers.indexOf(victim), 1);
  const heard = await pollUntil(() => listener.titles.find((seen) => seen.at > killedAt && seen.title.includes('Fleet')), {
    intervalMs: POLL_MS,
    timeoutMs: WAIT_MS,
    signal: fleet.scope.signal,
    what: `a title at the listener of ${mountOf(killedStation!)} after the SIGKILL (got ${JSON.stringify(listener.titles.map((seen) => seen.title))})`,
  });
  await fleet.start();
  await settle(fleet, STATIONS, 'the fleet settled after the SIGKILL');

  context.say(`${NAME}: SIGSTOP`);
  const paused = await ownerOfSome(fleet);
  const itsMounts = holdings(await fleet.store.leases.fleet(), paused).map(mountOf);
  const startsBefore = await sourceStarts(fleet.icecast);
  process.kill(paused.child.pid!, 'SIGSTOP');
  let passedAt = 0;
  let takenAt = 0;
  try {
    passedAt = await waitFor(fleet, async () => holdings(await fleet.store.leases.fleet(), paused).length === 0, "the paused worker's leases passed on");
    takenAt = await waitFor(fleet, async () => {
      const starts = await sourceStarts(fleet.icecast);
      return itsMounts.every((mount) => starts.has(mount) && starts.get(mount) !== startsBefore.get(mount));
    }, "new sources on the paused worker's mounts");
  } finally {
    process.kill(paused.child.pid!, 'SIGCONT');
  }
  await settle(fleet, STATIONS, 'the fleet settled after the pause');

  context.say(`${NAME}: station create`);
  const { readyAt, createdAt, milestones } = await createStation(fleet, NEW_STATION);

  const seconds = (ms: number) => ms / 1000;
  const slowest = Math.max(...handOvers);
  const since = (at: number | undefined) => (at === undefined ? '–' : seconds(at - createdAt).toFixed(2));
  return [
    atMost(NAME, { name: `rolling restart of ${WORKERS} workers → listeners disconnected (of ${listeners.length})`, value: lost.count, unit: '', digits: 0, note: lost.note }, 0),
    atMost(NAME, { name: 'SIGTERM → its stations on air under another worker (slowest)', value: seconds(slowest), unit: 's', digits: 2, note: `${handOvers.map((ms) => seconds(ms).toFixed(2)).join(' / ')} s, from the new owners' logs` }, 1),
    atMost(NAME, { name: 'SIGKILL of an owner → music again at its listener', value: seconds(heard.at - killedAt), unit: 's', digits: 2, note: 'first title of the new owner; silence from the fallback meanwhile; lease TTL 1.6 s, rounds 0.4 s' }, 3),
    atMost(NAME, { name: "SIGSTOP: leases passed on → new owner's source on the mount", value: seconds(takenAt - passedAt), unit: 's', digits: 2, note: 'killsource of the stale source' }, 3),
    atMost(NAME, {
      name: '`station create` → owned, on air with its fallback, in the config Icecast re-read',
      value: seconds(readyAt - createdAt),
      unit: 's',
      digits: 2,
      note: `owned ${since(milestones.owned)}, on air ${since(milestones.onAir)}, fallback fed ${since(milestones.fallback)}, re-read ${since(milestones.reread)} s; Icecast applies a re-read mount block to a running source at its next 1 s cycle`,
    }, 2),
  ];
}

async function startFleet(context: BenchContext): Promise<FleetBench> {
  const { scope } = context;
  const song = await context.tone({ seconds: 150, frequency: 440, title: 'Fleet' });
  const icecast = await benchIcecast(scope, { viaIcecastRun: true });
  const redis = await startRedis();
  scope.add('redis-server', () => redis.stop());
  const client = await connectRedis(redis.url);
  scope.add('redis client', () => client.disconnect());
  const store = createStore(client);
  await store.playlists.create('main');
  await store.playlists.add('main', [`local:${song.slice(dirname(song).length + 1)}`]);
  for (const station of STATIONS) await store.stations.create(station, { mount: mountOf(station), playlist: 'main' });
  // The station blocks Icecast gets from Redis, as the compose file's icecast-config service writes them.
  const writer = spawnWorker(['icecast-config'], { ICECAST_BASE_CONFIG_PATH: icecast.baseConfigPath, ICECAST_CONFIG_PATH: icecast.configPath, REDIS_URL: redis.url, LOG_LEVEL: 'info' });
  trackChild(writer.child);
  scope.add('relaycast icecast-config', () => writer.stop());
  const workers: BenchWorkerProcess[] = [];
  const start = async () => {
    const worker = await spawnBenchWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword, adminUser: 'admin', adminPassword: icecast.adminPassword },
      redis: { url: redis.url },
      musicDir: dirname(song),
      logLevel: 'info',
    });
    scope.add(`worker ${worker.child.pid ?? '?'}`, () => worker.stop());
    workers.push(worker);
    return worker;
  };
  const fleet = { scope, icecast, store, redisUrl: redis.url, workers, start };
  await waitFor(fleet, async () => (await reloadCount(icecast)) > 0 && (await Promise.all(STATIONS.map((station) => configHas(icecast, station)))).every(Boolean), "every station's mounts in the config Icecast re-read");
  return fleet;
}

/**
 * Until every station is played by one of the running workers, shares ±1, every fallback fed by a live worker
 * that does not play it (the test's `settled`), and every mount and fallback mount has a source.
 */
async function settle(fleet: FleetBench, stations: readonly string[], what: string): Promise<void> {
  const pidOf = (id: string) => Number(id.split(':')[1]);
  await pollUntil(
    async () => {
      const now = await fleet.store.leases.fleet();
      const live = now.workers.filter((worker) => worker.live);
      const pids = new Set(fleet.workers.map((worker) => worker.child.pid));
      if (now.unowned.length > 0 || now.unfedFallbacks.length > 0 || live.length !== fleet.workers.length || !live.every((worker) => pids.has(pidOf(worker.id)))) return undefined;
      const counts = live.map((worker) => worker.stations.length);
      if (Math.max(...counts) - Math.min(...counts) > 1) return undefined;
      if (!live.every((worker) => worker.fallbacks.every((station) => !worker.stations.some((held) => held.station === station)))) return undefined;
      return (await onAirWithFallbacks(fleet.icecast, stations)) ? true : undefined;
    },
    { intervalMs: POLL_MS * 5, timeoutMs: SETTLE_MS, signal: fleet.scope.signal, what },
  );
}

/** `station create` through the built CLI, then polls until the station is owned, on air with its fallback and configured. */
async function createStation(fleet: FleetBench, station: string): Promise<{ createdAt: number; readyAt: number; milestones: Partial<Record<'owned' | 'onAir' | 'fallback' | 'reread', number>> }> {
  const reloads = await reloadCount(fleet.icecast);
  await promisify(execFile)(process.execPath, [BUILT_CLI_PATH, 'station', 'create', station, '--mount', mountOf(station), '--playlist', 'main'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: fleet.redisUrl },
    timeout: CLI_TIMEOUT_MS,
  });
  const createdAt = performance.now();
  const milestones: Partial<Record<'owned' | 'onAir' | 'fallback' | 'reread', number>> = {};
  const readyAt = await waitFor(fleet, async () => {
    const [now, mounts, configured, reloaded] = await Promise.all([
      fleet.store.leases.fleet(),
      mountsAt(fleet.icecast).catch(() => new Set<string>()),
      configHas(fleet.icecast, station),
      reloadCount(fleet.icecast).then((count) => count > reloads),
    ]);
    const at = performance.now();
    const owner = now.workers.find((worker) => worker.stations.some((held) => held.station === station));
    const fedByAnother = now.workers.some((worker) => worker !== owner && worker.fallbacks.includes(station));
    const reached = { owned: owner !== undefined, onAir: mounts.has(mountOf(station)), fallback: fedByAnother && mounts.has(fallbackMountOf(mountOf(station))), reread: configured && reloaded };
    for (const [milestone, done] of Object.entries(reached) as [keyof typeof reached, boolean][]) if (done) milestones[milestone] ??= at;
    return Object.values(reached).every(Boolean);
  }, 'the new station owned, on air, its fallback fed and in the config Icecast re-read');
  return { createdAt, readyAt, milestones };
}

/**
 * Listeners that were disconnected, or that stopped receiving audio (1 s of it within WAIT_MS): after a rolling
 * restart every one must still be connected and hearing its mount.
 */
async function listenersLost(fleet: FleetBench, listeners: readonly Listener[]): Promise<{ count: number; note: string }> {
  const counts = listeners.map((listener) => listener.byteCount);
  const receiving = (listener: Listener, index: number) => listener.byteCount > counts[index]! + BYTES_PER_SECOND;
  await pollUntil(() => (listeners.every((listener, index) => listener.disconnected !== undefined || receiving(listener, index)) ? true : undefined), {
    intervalMs: POLL_MS * 5,
    timeoutMs: WAIT_MS,
    signal: fleet.scope.signal,
    what: 'every listener receiving or gone',
  }).catch(() => undefined);
  const disconnected = listeners.filter((listener) => listener.disconnected !== undefined).length;
  const stalled = listeners.filter((listener, index) => listener.disconnected === undefined && !receiving(listener, index)).length;
  return { count: disconnected + stalled, note: `listeners on every mount through SIGTERM, replacement, settle; ${disconnected} disconnected, ${stalled} stalled` };
}

/** The stations `worker` holds the lease of. */
function holdings(now: Fleet, worker: BenchWorkerProcess): string[] {
  const held = now.workers.find((candidate) => Number(candidate.id.split(':')[1]) === worker.child.pid);
  return held?.stations.map((station) => station.station) ?? [];
}

/** A running worker that plays at least one station. */
async function ownerOfSome(fleet: FleetBench): Promise<BenchWorkerProcess> {
  const now = await fleet.store.leases.fleet();
  const owner = fleet.workers.find((worker) => holdings(now, worker).length > 0);
  if (!owner) throw new Error('no running worker plays a station');
  return owner;
}

/** performance.now() (from its log) at which a running worker's source of `station` went on air after `since`. */
function streamingSince(fleet: FleetBench, station: string, since: number): number | undefined {
  const times = fleet.workers.flatMap((worker) =>
    worker.events
      .filter((event) => event.msg.startsWith(STREAMING_LINE) && event.mount === mountOf(station))
      .map((event) => logTimeOnPerfClock(event.time))
      .filter((at): at is number => at !== undefined && at >= since),
  );
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Sources Icecast carries now, hidden fallback mounts included (the admin list shows them). */
async function mountsAt(icecast: IcecastServer): Promise<Set<string>> {
  const response = await fetch(`${icecast.url}/admin/listmounts`, {
    headers: { authorization: `Basic ${Buffer.from(`admin:${icecast.adminPassword}`).toString('base64')}` },
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const xml = await response.text();
  return new Set([...xml.matchAll(/<source mount="([^"]+)"/g)].map((match) => match[1]!));
}

async function onAirWithFallbacks(icecast: IcecastServer, stations: readonly string[]): Promise<boolean> {
  const mounts = await mountsAt(icecast).catch(() => new Set<string>());
  return stations.every((station) => mounts.has(mountOf(station)) && mounts.has(fallbackMountOf(mountOf(station))));
}

async function configHas(icecast: IcecastServer, station: string): Promise<boolean> {
  const config = await readFile(icecast.configPath, 'utf8');
  return config.includes(`<mount-name>${mountOf(station)}</mount-name>`) && config.includes(`<fallback-mount>${fallbackMountOf(mountOf(station))}</fallback-mount>`);
}

async function reloadCount(icecast: IcecastServer): Promise<number> {
  return (await icecast.errorLog()).split(RELOAD_LINE).length - 1;
}

async function sourceStarts(icecast: IcecastServer): Promise<Map<string, string | undefined>> {
  return new Map(((await statusOnce(icecast))?.sources ?? []).map((source) => [source.mount, source.streamStart]));
}

/** performance.now() of the first poll at which `done` holds. */
function waitFor(fleet: Pick<FleetBench, 'scope'>, done: () => Promise<boolean>, what: string): Promise<number> {
  return pollUntil(async () => ((await done()) ? performance.now() : undefined), { intervalMs: POLL_MS, timeoutMs: WAIT_MS, signal: fleet.scope.signal, what });
}
