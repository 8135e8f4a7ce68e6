import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePcm } from './decode.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { CDN_PATHS, startFaultyCdn, type FaultyCdn } from './faulty-cdn.js';
import { makeTone } from './fixtures.js';
import type { IcecastServer } from './icecast.js';
import { listen, type Listener } from './listener.js';
import { freePort } from './ports.js';
import { startRedis, type RedisServer } from './redis.js';
import { startRelay, type RelayProcess } from './relay-process.js';
import { longestSilentRun } from './silent-runs.js';
import { fillUp, mountTmpfs } from './tmpfs.js';
import { wholeFrames } from './whole-frames.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

/** The station's default silence budget (issue 12): no longer silence while a playable song exists. */
export const SILENCE_BUDGET_SEC = 10;
/** Audio bytes per second of the stations here (128 kb/s CBR, the default format). */
const STREAM_BYTES_PER_SEC = 16_000;
const DECODE_SAMPLE_RATE = 44_100;
/**
 * Stream time listened to after start, or after a fault that comes later: over twice the budget, so a
 * station that recovers within the budget is heard playing again, and one that does not is caught.
 */
const LISTEN_SEC = 22;
/** A loaded machine delivers the stream late (the pacer's lag, Icecast's): listening gets this much extra wall time. */
const LISTEN_SLACK_MS = 15_000;
/** The worker puts its mount up in well under a second (station-e2e); past this it is not coming. */
const MOUNT_TIMEOUT_MS = 10_000;
/** First song on air after start: resolving and transcoding a 3 s tone, on a loaded machine. */
const ON_AIR_TIMEOUT_MS = 20_000;
/** How long the Redis fault keeps the server stopped. */
const REDIS_DOWN_MS = 20_000;
/** Stream time listened to after Redis is back: past the budget, so music must have come back. */
const AFTER_REDIS_SEC = 12;
/** Size of the cache tmpfs, as in the report. */
const CACHE_TMPFS_KB = 200;
/** Log lines kept for the report: the distinct warnings and errors, this many at most. */
const WORKER_SAID_LIMIT = 6;

/**
 * Scenarios run this many at a time, in the test file and the bench: each starts a relay, Redis, a worker
 * and ffmpeg, and more of them at once on 2 cores measured the machine's load (a control with only good
 * songs went 17 s silent at start with 5 at once) rather than the station.
 */
export const SCENARIOS_AT_ONCE = 3;

/** Runs the bodies given to it at most SCENARIOS_AT_ONCE at a time, in the order they were given. */
export function scenarioSlots(): <T>(body: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (body) => {
    if (running >= SCENARIOS_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await body();
    } finally {
      // The slot passes straight to the next waiter, if any; otherwise it is freed.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** Registers how to undo something a scenario started; run last-first when the scenario ends. */
export type Defer = (what: string, stop: () => unknown) => void;

/** The songs every scenario draws on: tones (so silence is detectable) in a music folder, and an MP3 for the CDN. */
export interface FaultMusic {
  readonly dir: string;
  /** What the faulty CDN serves (slowly, or not at all). */
  readonly mp3: Buffer;
}

/** What the scenarios share: one Icecast (a mount each), the music, a folder for their own files. */
export interface FaultKit {
  readonly icecast: IcecastServer;
  readonly music: FaultMusic;
  readonly dir: string;
}

export interface FaultOutcome {
  readonly scenario: string;
  /** Longest continuous silence at the listener, s: silent audio or no audio arriving, whichever is longer. */
  readonly longestSilenceSec: number;
  /** Where it was, in words. */
  readonly where: string;
  /** Stream time the listener received, s. */
  readonly listenedSec: number;
  /** Undefined when the listener stayed connected throughout; otherwise what happened. */
  readonly dropped: string | undefined;
  /** Undefined when the fault was met; otherwise why the scenario proves nothing. */
  readonly unexercised: string | undefined;
  /** Distinct warnings and errors the worker logged, for the report. */
  readonly workerSaid: readonly string[];
}

export interface FaultScenario {
  /** Short name: test title prefix and bench row. */
  readonly name: string;
  readonly title: string;
  run(kit: FaultKit, defer: Defer): Promise<FaultOutcome>;
}

const GOOD = ['good-a.m4a', 'good-b.m4a'] as const;
/** A QQ Music song: no relay here has the qq provider. */
const QQ_REF = 'qq:0039MnYb0qxYhV';
const TONES = [
  { file: 'good-a.m4a', seconds: 3, frequency: 440 },
  { file: 'good-b.m4a', seconds: 3, frequency: 660 },
  { file: 'long.m4a', seconds: 20, frequency: 550 },
  { file: 'trickle.m4a', seconds: 8, frequency: 770 },
  { file: 'slow.m4a', seconds: 3, frequency: 880 },
] as const;

/** Generates the tones into `dir`/music. */
export async function prepareFaultMusic(dir: string): Promise<FaultMusic> {
  const musicDir = join(dir, 'music');
  await mkdir(musicDir, { recursive: true });
  await Promise.all(TONES.map((tone) => makeTone({ path: join(musicDir, tone.file), seconds: tone.seconds, frequency: tone.frequency, format: 'm4a', title: tone.file, artist: 'Fault' })));
  const mp3Path = await makeTone({ path: join(dir, 'cdn-source.mp3'), seconds: 8, frequency: 990, format: 'mp3' });
  return { dir: musicDir, mp3: await readFile(mp3Path) };
}

/** Runs `body` with a Defer, then undoes what it registered, last first, whatever happened. */
export async function withCleanups<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const stops: Array<() => unknown> = [];
  try {
    return await body((_what, stop) => stops.push(stop));
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
  }
}

const localRefs = (files: readonly string[]) => files.map((file) => `local:${file}`);

/**
 * Each one's list holds the faulty song (when the fault is a song's) and good ones. The control first, then
 * the longest ones, so that run side by side they end together.
 */
export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: 'healthy',
    title: 'control: only good songs through the relay',
    run: async (kit, defer) => judge('healthy', await relayStation(kit, defer, 'healthy', localRefs(GOOD))),
  },
  {
    name: 'ffmpeg-killed',
    title: 'ffmpeg killed while it transcodes a song into the cache, every time it tries',
    run: async (kit, defer) => {
      // long.m4a is prepared while the first song plays; its ffmpeg runs at full speed (well under a second
      // for 20 s of tone), so from the worker's start every ffmpeg reading it is killed the moment it shows up.
      const station = await relayStation(kit, defer, 'ffmpeg-killed', localRefs([...GOOD.slice(0, 1), 'long.m4a', ...GOOD.slice(1)]), {
        fromStart: (worker) => killTranscodesOf(worker, 'local:long.m4a', 20_000),
      });
      const outcome = await judge('ffmpeg-killed', station);
      const killed = await station.fault;
      return { ...outcome, unexercised: killed === 0 ? 'the worker never started an ffmpeg for long.m4a, so there was nothing to kill' : outcome.unexercised };
    },
  },
  {
    name: 'redis-stopped',
    title: `Redis stopped for ${REDIS_DOWN_MS / 1000} s, then started again`,
    run: async (kit, defer) => {
      const station = await relayStation(kit, defer, 'redis-stopped', localRefs(GOOD));
      if (!station.listener || !station.redis) return judge('redis-stopped', station);
      await station.worker.waitForEvent((event) => event.msg === 'now playing', ON_AIR_TIMEOUT_MS);
      await station.redis.kill();
      // The fault's length, not a deadline: how long Redis stays away.
      await new Promise((resolve) => setTimeout(resolve, REDIS_DOWN_MS));
      await station.redis.start();
      // Judged on everything from the start: the silence during the outage counts too.
      return judge('redis-stopped', station, { fromBytes: station.listener.byteCount, seconds: AFTER_REDIS_SEC });
    },
  },
  {
    name: 'cache-full',
    title: `cache disk full (${CACHE_TMPFS_KB} KiB tmpfs, filled)`,
    run: async (kit, defer) => {
      const cacheDir = await cacheTmpfs(kit, defer, 'cache-full', false);
      await fillUp(cacheDir);
      return judge('cache-full', await relayStation(kit, defer, 'cache-full', localRefs(GOOD), { cacheDir }));
    },
  },
  {
    name: 'cache-readonly',
    title: 'cache folder read-only (ro tmpfs)',
    run: async (kit, defer) => {
      const cacheDir = await cacheTmpfs(kit, defer, 'cache-readonly', true);
      return judge('cache-readonly', await relayStation(kit, defer, 'cache-readonly', localRefs(GOOD), { cacheDir }));
    },
  },
  directUrlScenario('trickle-direct', 'source at 1 byte/s (direct URL)', CDN_PATHS.trickle),
  {
    name: 'trickle-relay',
    title: 'source at 1 byte/s (audio URL resolved by the relay)',
    run: async (kit, defer) => {
      const cdn = (relayPort: number) => startFaultyCdn({ audio: kit.music.mp3, relayPort, trickleRelayFile: (path) => path === 'trickle.m4a' });
      const station = await relayStation(kit, defer, 'trickle-relay', localRefs(['trickle.m4a', ...GOOD]), { cdn });
      return judge('trickle-relay', station, { exercised: () => (station.cdn?.trickled.includes('trickle.m4a') ? undefined : 'the worker never downloaded trickle.m4a') });
    },
  },
  directUrlScenario('stall-direct', 'source sends headers, then nothing (direct URL)', CDN_PATHS.stall),
  directUrlScenario('forbidden-direct', 'source answers 403 (direct URL)', CDN_PATHS.forbidden),
  directUrlScenario('html-direct', 'source answers an HTML page (direct URL)', CDN_PATHS.page),
  {
    name: 'relay-slow',
    title: "relay answers a song's lookup after 10 s",
    run: async (kit, defer) => {
      const proxy = (relayPort: number) => startFaultProxy(relayPort, { delayMs: (path) => (path.startsWith('/v1/songs/') && path.includes('slow') ? 10_000 : 0) });
      const station = await relayStation(kit, defer, 'relay-slow', localRefs(['slow.m4a', ...GOOD]), { proxy });
      const askedSlow = () => station.proxy?.paths.some((path) => path.startsWith('/v1/songs/') && path.includes('slow')) === true;
      return judge('relay-slow', station, { exercised: () => (askedSlow() ? undefined : 'the worker never looked slow.m4a up') });
    },
  },
  {
    name: 'relay-no-provider',
    title: 'relay without the provider (qq: ref, relay with no QQ), then good local songs',
    run: async (kit, defer) => {
      const station = await relayStation(kit, defer, 'relay-no-provider', [QQ_REF, ...localRefs(GOOD)]);
      return judge('relay-no-provider', station, { exercised: () => (station.relay?.songRequests().has(QQ_REF) ? undefined : `the worker never asked the relay for ${QQ_REF}`) });
    },
  },
];

function directUrlScenario(name: string, title: string, path: string): FaultScenario {
  return {
    name,
    title,
    run: async (kit, defer) => {
      const cdn = await startFaultyCdn({ audio: kit.music.mp3 });
      defer('faulty CDN', () => cdn.close());
      const songs = [`${cdn.url}${path}`, ...GOOD.map((file) => join(kit.music.dir, file))];
      const station = await onAir(kit, defer, name, { songs, cacheDir: await scenarioDir(kit, `${name}-cache`) });
      return judge(name, station, { exercised: () => (cdn.paths.includes(path) ? undefined : `nothing asked for ${path}`) });
    },
  };
}

interface StationPlan {
  readonly songs: readonly string[];
  readonly cacheDir: string;
  readonly relay?: { url: string; token: string };
  readonly redis?: RedisServer;
  readonly fromStart?: ((worker: WorkerProcess) => Promise<unknown>) | undefined;
}

interface OnAir {
  readonly worker: WorkerProcess;
  readonly redis: RedisServer | undefined;
  readonly relay?: RelayProcess;
  readonly proxy?: FaultProxy;
  readonly cdn?: FaultyCdn;
  /** Undefined when the mount never came up; `problem` says why. */
  readonly listener: Listener | undefined;
  readonly problem?: string;
  readonly connectedAt: number;
  /** What the fault started with the worker (fromStart) came to. */
  readonly fault?: Promise<unknown>;
}

interface RelayStationOptions {
  readonly cacheDir?: string;
  /** Stands at the relay's public URL: its file URLs go through it. */
  readonly cdn?: (relayPort: number) => Promise<FaultyCdn>;
  /** Stands between the worker and the relay. */
  readonly proxy?: (relayPort: number) => Promise<FaultProxy>;
  /** Started as soon as the worker is spawned, while its mount comes up: a fault from the first moment. */
  readonly fromStart?: (worker: WorkerProcess) => Promise<unknown>;
}

/** A station with Redis and a real relay serving the music folder (the production set-up), listened to from its start. */
async function relayStation(kit: FaultKit, defer: Defer, name: string, refs: readonly string[], options: RelayStationOptions = {}): Promise<OnAir> {
  const relayPort = await freePort();
  const cdn = options.cdn ? await options.cdn(relayPort) : undefined;
  if (cdn) defer('faulty CDN', () => cdn.close());
  const relay = await startRelay(kit.music.dir, { port: relayPort, ...(cdn ? { publicUrl: `${cdn.url}/` } : {}) });
  defer('relay', () => relay.stop());
  const proxy = options.proxy ? await options.proxy(relayPort) : undefined;
  if (proxy) defer('fault proxy', () => proxy.close());
  const redis = await startRedis();
  defer('redis', () => redis.stop());
  const cacheDir = options.cacheDir ?? (await scenarioDir(kit, `${name}-cache`));
  const station = await onAir(kit, defer, name, { songs: refs, cacheDir, relay: { url: proxy?.url ?? relay.url, token: relay.token }, redis, fromStart: options.fromStart });
  return { ...station, relay, ...(proxy ? { proxy } : {}), ...(cdn ? { cdn } : {}) };
}

/** Starts `relaycast start` with one station and attaches a listener as soon as its mount is up. */
async function onAir(kit: FaultKit, defer: Defer, name: string, plan: StationPlan): Promise<OnAir> {
  const mount = `/fault-${name}.mp3`;
  const worker = await startWorker({
    icecast: { url: kit.icecast.url, sourcePassword: kit.icecast.sourcePassword },
    ...(plan.relay ? { relay: plan.relay } : {}),
    ...(plan.redis ? { redis: { url: plan.redis.url } } : {}),
    cacheDir: plan.cacheDir,
    logLevel: 'debug',
    stations: [{ name: `fault-${name}`, mount, songs: plan.songs }],
  });
  defer('worker', () => worker.stop());
  const startedAt = performance.now();
  const fault = plan.fromStart?.(worker);
  try {
    await kit.icecast.waitForMount(mount, MOUNT_TIMEOUT_MS);
    const listener = await listen(`${kit.icecast.url}${mount}`);
    defer('listener', () => listener.close());
    return { worker, redis: plan.redis, listener, connectedAt: performance.now(), ...(fault ? { fault } : {}) };
  } catch (error) {
    const exit = worker.child.exitCode ?? worker.child.signalCode;
    const state = exit === null ? 'the worker is still running' : `the worker exited (${exit}): ${worker.stderr().trim().split('\n').slice(-2).join(' | ')}`;
    return { worker, redis: plan.redis, listener: undefined, connectedAt: startedAt, problem: `${mount} never came up (${(error as Error).message}); ${state}` };
  }
}

interface Judging {
  /** Listening goes on until `seconds` of stream past this byte (default 0: the start). */
  readonly fromBytes?: number;
  /** Default LISTEN_SEC. */
  readonly seconds?: number;
  /** Why the fault did not happen (the faulty thing was never asked for), or undefined when it did. */
  readonly exercised?: () => string | undefined;
}

/**
 * Listens until `seconds` of stream past byte `fromBytes`, then decodes everything the listener got since
 * it connected and finds its longest silence. A station that never came up counts as silent for the whole wait.
 */
async function judge(scenario: string, station: OnAir, judging: Judging = {}): Promise<FaultOutcome> {
  const seconds = judging.seconds ?? LISTEN_SEC;
  const workerSaid = () =>
    [...new Set(station.worker.events.filter((event) => ['warn', 'error', 'fatal'].includes(event.level)).map((event) => event.msg))].slice(0, WORKER_SAID_LIMIT);
  const { listener } = station;
  if (!listener) {
    const waited = (performance.now() - station.connectedAt) / 1000;
    return { scenario, longestSilenceSec: waited, where: 'no mount to listen to', listenedSec: 0, dropped: station.problem, unexercised: judging.exercised?.(), workerSaid: workerSaid() };
  }
  let late: string | undefined;
  await listener.waitForBytes((judging.fromBytes ?? 0) + seconds * STREAM_BYTES_PER_SEC, seconds * 1000 + LISTEN_SLACK_MS).catch((error: Error) => (late = error.message));
  const dropped = listener.disconnected ? `listener disconnected (${listener.disconnected.reason}) ${((listener.disconnected.at - station.connectedAt) / 1000).toFixed(1)} s after connecting` : late;
  listener.close();

  const whole = await wholeFrames(listener.audio());
  const pcm = whole.length > 0 ? await decodePcm(whole, DECODE_SAMPLE_RATE) : new Float32Array(0);
  const listenedSec = pcm.length / DECODE_SAMPLE_RATE;
  const silent = longestSilentRun(pcm, DECODE_SAMPLE_RATE);
  const stall = longestStall(listener, station.connectedAt);
  const longest =
    stall.sec > silent.durationSec
      ? { sec: stall.sec, where: `no audio arrived for ${stall.sec.toFixed(1)} s, ${stall.afterSec.toFixed(1)} s after connecting` }
      : { sec: silent.durationSec, where: `silent audio from ${silent.startSec.toFixed(1)} s of the stream` };
  return { scenario, longestSilenceSec: longest.sec, where: longest.where, listenedSec, dropped, unexercised: judging.exercised?.(), workerSaid: workerSaid() };
}

/** The longest wait between two pieces of audio reaching the listener (a stalled stream is silence too). */
function longestStall(listener: Listener, connectedAt: number): { sec: number; afterSec: number } {
  let longest = { sec: 0, afterSec: 0 };
  let previous = connectedAt;
  for (const chunk of listener.chunks) {
    if ((chunk.at - previous) / 1000 > longest.sec) longest = { sec: (chunk.at - previous) / 1000, afterSec: (previous - connectedAt) / 1000 };
    previous = chunk.at;
  }
  return longest;
}

/** One line for a test failure or a bench note. */
export function describeOutcome(outcome: FaultOutcome): string {
  const said = outcome.workerSaid.length > 0 ? `; worker said: ${outcome.workerSaid.join(' / ')}` : '';
  const unmet = outcome.unexercised ? `; FAULT NOT MET: ${outcome.unexercised}` : '';
  return `${outcome.scenario}: longest silence ${outcome.longestSilenceSec.toFixed(1)} s (${outcome.where}) in ${outcome.listenedSec.toFixed(1)} s of stream; ${outcome.dropped ?? 'listener connected throughout'}${unmet}${said}`;
}

async function scenarioDir(kit: FaultKit, name: string): Promise<string> {
  const dir = join(kit.dir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function cacheTmpfs(kit: FaultKit, defer: Defer, name: string, readOnly: boolean): Promise<string> {
  const dir = await scenarioDir(kit, `${name}-tmpfs`);
  const tmpfs = mountTmpfs(dir, { sizeKb: CACHE_TMPFS_KB, readOnly });
  defer('cache tmpfs', () => tmpfs.unmount());
  return dir;
}

/** The program name of a process (/proc/<pid>/comm), or '' once it is gone. */
/**
 * SIGKILLs every ffmpeg the worker starts for `song` (its debug line "ffmpeg started" names the song and the
 * pid), looking every 5 ms for `forMs`; resolves with how many it killed.
 */
async function killTranscodesOf(worker: WorkerProcess, song: string, forMs: number): Promise<number> {
  const killed = new Set<number>();
  const until = performance.now() + forMs;
  while (performance.now() < until) {
    for (const event of worker.events) {
      const pid = Number(event.pid);
      if (event.msg !== 'ffmpeg started' || event.song !== song || killed.has(pid)) continue;
      killed.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited between its start and the kill: it got away, which the judge's listening still covers.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return killed.size;
}

