import { get } from 'node:http';
import { join } from 'node:path';
import { makeTone } from '../test/support/fixtures.js';
import { parseStatus, startIcecast, type IcecastServer, type IcecastStatus, type StartIcecastOptions } from '../test/support/icecast.js';
import { listen, type Listener, type ListenOptions } from '../test/support/listener.js';
import { pollUntil, type Scope } from './scope.js';
import { spawnBenchWorker, type BenchWorkerProcess } from './worker.js';

/** How often the bench asks Icecast whether a mount is up: fine enough for a 0.5 s target. */
export const MOUNT_POLL_MS = 10;
/** How often a would-be listener tries again while a mount is not up (Icecast answers 404, or refuses while down). */
const CONNECT_RETRY_MS = 10;
/** One status request that takes longer counts as "no answer" (Icecast restarting). */
const STATUS_TIMEOUT_MS = 1_000;

/** What every measurement gets from the runner. */
export interface BenchContext {
  readonly scope: Scope;
  /** A directory for fixtures and outputs, shared by the whole run and removed at its end. */
  readonly dir: string;
  /** A generated tone, made once per run and shared between measurements. */
  tone(spec: ToneSpec): Promise<string>;
  /** Progress for the human watching (stderr). */
  say(message: string): void;
}

export interface ToneSpec {
  readonly seconds: number;
  readonly frequency: number;
  readonly title?: string;
}

/** Tones as m4a (AAC in MP4 with the index at the end), the container songs most often come in. */
export function toneMaker(dir: string): (spec: ToneSpec) => Promise<string> {
  const made = new Map<string, Promise<string>>();
  return (spec) => {
    const name = `tone-${spec.seconds}s-${spec.frequency}hz.m4a`;
    let path = made.get(name);
    if (!path) {
      path = makeTone({ path: join(dir, name), seconds: spec.seconds, frequency: spec.frequency, format: 'm4a', title: spec.title ?? name, artist: 'Bench' });
      made.set(name, path);
    }
    return path;
  };
}

/** A real icecast2 with the project's icecast.xml (run through icecast-run with `viaIcecastRun`), stopped with the scope. */
export async function benchIcecast(scope: Scope, options: StartIcecastOptions = {}): Promise<IcecastServer> {
  const icecast = await startIcecast(options);
  scope.add('icecast2', () => icecast.stop());
  return icecast;
}

export interface BenchStation {
  readonly name: string;
  readonly mount: string;
  readonly songs: readonly string[];
  /** The station's loudness target in LUFS, or off; the worker's default (-16) when absent. */
  readonly loudness?: number | 'off';
}

export interface BenchWorkerOptions {
  readonly logLevel?: string;
  /** The config's `cacheDir`: with songs already in it (preparedCacheDir), they play without ffmpeg. */
  readonly cacheDir?: string;
}

/** `relaycast start --config <file>` as its own process (the built CLI), stopped with the scope. */
export async function benchWorker(scope: Scope, icecast: IcecastServer, stations: readonly BenchStation[], options: BenchWorkerOptions = {}): Promise<BenchWorkerProcess> {
  const config = {
    icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
    stations: stations.map((station) => ({ name: station.name, mount: station.mount, songs: station.songs, ...(station.loudness === undefined ? {} : { loudness: station.loudness }) })),
    logLevel: options.logLevel ?? 'info',
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  };
  const worker = await spawnBenchWorker(config);
  scope.add(`worker ${worker.child.pid ?? '?'}`, () => worker.stop());
  return worker;
}

/** A listener on a mount, closed with the scope. */
export async function benchListener(scope: Scope, url: string, options: ListenOptions = {}): Promise<Listener> {
  const listener = await listen(url, options);
  scope.add(`listener ${url}`, () => listener.close());
  return listener;
}

/** One /status-json.xsl request, no retries; undefined when Icecast does not answer or answers badly. */
export function statusOnce(icecast: IcecastServer): Promise<IcecastStatus | undefined> {
  return new Promise((resolve) => {
    const request = get(`${icecast.url}/status-json.xsl`, { agent: false, timeout: STATUS_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 ? parseStatus(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : undefined);
        } catch {
          // Icecast answers invalid JSON for a moment after start-up (reference): not up yet.
          resolve(undefined);
        }
      });
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(undefined));
  });
}

/** Polls every MOUNT_POLL_MS until all `mounts` have a source; resolves with performance.now() then. */
export async function waitForMounts(icecast: IcecastServer, mounts: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<number> {
  return pollUntil(
    async () => {
      const status = await statusOnce(icecast);
      if (!status) return undefined;
      const up = new Set(status.sources.map((source) => source.mount));
      return mounts.every((mount) => up.has(mount)) ? performance.now() : undefined;
    },
    { intervalMs: MOUNT_POLL_MS, timeoutMs, signal, what: `${mounts.length === 1 ? mounts[0] : `${mounts.length} mounts`} to have a source` },
  );
}

/** Mounts that have a source right now. */
export async function mountsUp(icecast: IcecastServer): Promise<string[]> {
  return ((await statusOnce(icecast))?.sources ?? []).map((source) => source.mount);
}

/** Epoch milliseconds of a worker log line's `time`, on the performance.now() clock. */
export function logTimeOnPerfClock(time: unknown): number | undefined {
  if (typeof time !== 'string' && typeof time !== 'number') return undefined;
  const epochMs = typeof time === 'number' ? time : Date.parse(time);
  return Number.isFinite(epochMs) ? epochMs - performance.timeOrigin : undefined;
}

/**
 * A listener that keeps trying until the mount answers 200, bounded in time and attempts; resolves with
 * it and performance.now() at the 200. The listener is closed with the scope.
 *
 * "Mount up" as a listener sees it. Connect attempts rather than status polls: a 404 costs Icecast
 * nothing, while rendering /status-json.xsl every 10 ms took CPU from a worker starting on the same 2
 * cores, and in trial runs the status listed a mount up to 0.3 s after a listener already had audio.
 */
export async function listenWhenUp(scope: Scope, url: string, timeoutMs: number): Promise<{ listener: Listener; at: number }> {
  const listener = await pollUntil(() => listen(url).catch(() => undefined), {
    intervalMs: CONNECT_RETRY_MS,
    timeoutMs,
    signal: scope.signal,
    what: `a listener to get ${url}`,
  });
  const at = performance.now();
  scope.add(`listener ${url}`, () => listener.close());
  return { listener, at };
}
