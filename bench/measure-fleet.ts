import { dirname } from 'node:path';
import { connectRedis, createStore, keys, type Store } from '../src/store/index.js';
import { startRedis } from '../test/support/redis.js';
import type { IcecastServer } from '../test/support/icecast.js';
import { atMost, type Figure } from './figure.js';
import { benchIcecast, listenWhenUp, statusOnce, type BenchContext } from './harness.js';
import { pollUntil, type Scope } from './scope.js';
import { spawnBenchWorker, type BenchWorkerProcess } from './worker.js';

const NAME = 'fleet';
const STATIONS = ['f1', 'f2', 'f3', 'f4'] as const;
const mountOf = (station: string) => `/${station}.mp3`;
const POLL_MS = 20;
const WAIT_MS = 15_000;

interface Fleet {
  readonly scope: Scope;
  readonly icecast: IcecastServer;
  readonly store: Store;
  readonly workers: BenchWorkerProcess[];
  start(): Promise<BenchWorkerProcess>;
}

/**
 * The fleet figures of issue 14 with workers as separate processes on one Redis and one Icecast: SIGKILL
 * of an owner → a listener gets its mount again; SIGTERM → its stations held by another worker; SIGSTOP
 * → the new owner's source on the mount, from the moment the leases passed on; `station create` → on air.
 */
export async function measureFleet(context: BenchContext): Promise<Figure[]> {
  const fleet = await startFleet(context);
  const [a] = [await fleet.start(), await fleet.start()];
  await waitFor(fleet, async () => (await ownersOf(fleet)).every((owner) => owner !== undefined), 'every station owned');
  await waitFor(fleet, () => mountsUp(fleet.icecast, STATIONS), 'every mount on air');

  context.say(`${NAME}: SIGKILL`);
  const killed = await stationsOf(fleet, a!);
  const killedAt = performance.now();
  a!.child.kill('SIGKILL');
  const { listener, at: listenedAt } = await listenWhenUp(fleet.scope, `${fleet.icecast.url}${mountOf(killed[0]!)}`, WAIT_MS);
  listener.close();
  fleet.workers.splice(fleet.workers.indexOf(a!), 1);

  context.say(`${NAME}: SIGTERM`);
  const b = await fleet.start();
  await waitFor(fleet, async () => (await stationsOf(fleet, b)).length >= 1, 'a joining worker owning its share');
  const leaving = b;
  const signalledAt = performance.now();
  leaving.child.kill('SIGTERM');
  const handedAt = await waitFor(fleet, async () => (await stationsOf(fleet, leaving)).length === 0 && (await ownersOf(fleet)).every(Boolean), 'the stations held by the others');
  fleet.workers.splice(fleet.workers.indexOf(leaving), 1);

  context.say(`${NAME}: SIGSTOP`);
  const paused = await fleet.start();
  await waitFor(fleet, async () => (await stationsOf(fleet, paused)).length >= 1, 'a joining worker owning its share');
  await waitFor(fleet, () => mountsUp(fleet.icecast, STATIONS), 'every mount on air');
  const itsMounts = (await stationsOf(fleet, paused)).map(mountOf);
  const startsBefore = await sourceStarts(fleet.icecast);
  process.kill(paused.child.pid!, 'SIGSTOP');
  let passedAt = 0;
  let takenAt = 0;
  try {
    passedAt = await waitFor(fleet, async () => (await stationsOf(fleet, paused)).length === 0, 'the paused worker\'s leases passed on');
    takenAt = await waitFor(fleet, async () => {
      const starts = await sourceStarts(fleet.icecast);
      return itsMounts.every((mount) => starts.has(mount) && starts.get(mount) !== startsBefore.get(mount));
    }, 'new sources on the paused worker\'s mounts');
  } finally {
    process.kill(paused.child.pid!, 'SIGCONT');
  }

  context.say(`${NAME}: station create`);
  const createdAt = performance.now();
  await fleet.store.stations.create('f5', { mount: mountOf('f5'), playlist: 'main' });
  const upAt = await waitFor(fleet, () => mountsUp(fleet.icecast, ['f5']), 'the new station on air');

  const seconds = (ms: number) => ms / 1000;
  return [
    atMost(NAME, { name: 'SIGKILL of an owner → a listener gets its mount again', value: seconds(listenedAt - killedAt), unit: 's', digits: 2, note: 'lease TTL 1.6 s, rounds 0.4 s' }, 3),
    atMost(NAME, { name: 'SIGTERM → its stations held by another worker', value: seconds(handedAt - signalledAt), unit: 's', digits: 2 }, 1),
    atMost(NAME, { name: "SIGSTOP: leases passed on → new owner's source on the mount", value: seconds(takenAt - passedAt), unit: 's', digits: 2, note: 'killsource of the stale source' }, 3),
    atMost(NAME, { name: '`station create` → its mount on air', value: seconds(upAt - createdAt), unit: 's', digits: 2, note: 'no per-station fallback yet' }, 2),
  ];
}

async function startFleet(context: BenchContext): Promise<Fleet> {
  const { scope } = context;
  const song = await context.tone({ seconds: 150, frequency: 440, title: 'Fleet' });
  const icecast = await benchIcecast(scope);
  const redis = await startRedis();
  scope.add('redis-server', () => redis.stop());
  const client = await connectRedis(redis.url);
  scope.add('redis client', () => client.disconnect());
  const store = createStore(client);
  await store.playlists.create('main');
  await store.playlists.add('main', [`local:${song.slice(dirname(song).length + 1)}`]);
  for (const station of STATIONS) await store.stations.create(station, { mount: mountOf(station), playlist: 'main' });
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
  return { scope, icecast, store, workers, start };
}

/** The pid of the worker holding each station's lease (undefined: nobody). */
async function ownersOf(fleet: Fleet): Promise<(string | undefined)[]> {
  const held = await Promise.all([...STATIONS].map((station) => fleet.store.redis.hget(keys.lease(station), 'worker')));
  return held.map((worker) => worker?.split(':')[1]);
}

async function stationsOf(fleet: Fleet, worker: BenchWorkerProcess): Promise<string[]> {
  const owners = await ownersOf(fleet);
  return STATIONS.filter((_, index) => owners[index] === String(worker.child.pid));
}

async function mountsUp(icecast: IcecastServer, stations: readonly string[]): Promise<boolean> {
  const sources = new Set((await statusOnce(icecast))?.sources.map((source) => source.mount) ?? []);
  return stations.every((station) => sources.has(mountOf(station)));
}

async function sourceStarts(icecast: IcecastServer): Promise<Map<string, string | undefined>> {
  return new Map(((await statusOnce(icecast))?.sources ?? []).map((source) => [source.mount, source.streamStart]));
}

/** performance.now() of the first poll at which `done` holds. */
function waitFor(fleet: Fleet, done: () => Promise<boolean>, what: string): Promise<number> {
  return pollUntil(async () => ((await done()) ? performance.now() : undefined), { intervalMs: POLL_MS, timeoutMs: WAIT_MS, signal: fleet.scope.signal, what });
}
