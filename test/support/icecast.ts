import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { renderIcecastTemplate } from '../../src/setup/index.js';
import { REPO_ROOT } from './paths.js';
import { freePort } from './ports.js';
import { requirePrograms } from './prereq.js';
import { makeTempDir } from './tmp.js';

/** The top-level icecast.xml template, the same file docker compose uses. */
const TEMPLATE_PATH = join(REPO_ROOT, 'icecast.xml');

/** The default mount's charset element; `defaultMountCharset: false` renders the template without it. */
const DEFAULT_MOUNT_CHARSET = '<charset>UTF-8</charset>';

/** Where distributions install Icecast's web and admin XSL files (Debian: /usr/share/icecast2). */
const SHARE_DIR_CANDIDATES = ['/usr/share/icecast2', '/usr/local/share/icecast2', '/usr/share/icecast'];

/** Icecast 2.4.4 crashed about once in 20 starts right after start-up (reference): try a few times. */
const START_ATTEMPTS = 4;
const START_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 25;
/** Icecast takes ~2 s to stop after SIGTERM; after this it gets SIGKILL. */
const STOP_GRACE_MS = 3_000;

/** When the harness runs as root, Icecast runs as the user the Debian package creates. */
const UNPRIVILEGED_USER = 'icecast2';
const UNPRIVILEGED_GROUP = 'icecast';

export interface StartIcecastOptions {
  /**
   * false renders icecast.xml without the default mount's `<charset>UTF-8</charset>`, so mounts
   * use Icecast's MP3 default (ISO8859-1) for titles, like someone else's Icecast might.
   */
  defaultMountCharset?: boolean;
  /**
   * Runs Icecast as the compose file does: through deploy/icecast/icecast-run, which reloads it (SIGHUP)
   * when its config file changes. The file Icecast reads is `configPath`; `baseConfigPath` holds the same
   * rendered template, for a `relaycast icecast-config` to read.
   */
  viaIcecastRun?: boolean;
  /** Replaces icecast.xml's `<sources>` limit (room for 32 stations) for a test of more stations. */
  maxSources?: number;
}

export interface MountStatus {
  /** The mount path, from `listenurl` ("/radio.mp3"). */
  mount: string;
  listeners: number;
  title: string | undefined;
  bitrate: number | undefined;
  audioInfo: string | undefined;
  streamStart: string | undefined;
}

export interface IcecastStatus {
  sources: MountStatus[];
}

export interface IcecastServer {
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly port: number;
  readonly sourcePassword: string;
  readonly adminPassword: string;
  readonly logDir: string;
  /** The rendered configuration file Icecast was started with. */
  readonly configPath: string;
  /** The rendered template alone (station-mounts marker and all), as `relaycast setup` writes the base. */
  readonly baseConfigPath: string;
  /** Stops Icecast (SIGTERM, SIGKILL after ~3 s) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the running Icecast without removing its temp dir; start() brings it back on the same port. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts Icecast again on the same port; resolves with performance.now() when it first answered HTTP. */
  start(): Promise<number>;
  /** kill() then start(): resolves with performance.now() when the new Icecast first answered HTTP. */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number>;
  /** /status-json.xsl, parsed defensively (`icestats.source` is an object, an array or absent). */
  status(): Promise<IcecastStatus>;
  /** Polls status() until `mount` has a source; rejects after timeoutMs. */
  waitForMount(mount: string, timeoutMs: number): Promise<MountStatus>;
  /** Icecast's own error.log, for assertions and for debugging a failed test. */
  errorLog(): Promise<string>;
}

function withSourcesLimit(config: string, sources: number): string {
  const limited = config.replace(/<sources>\d+<\/sources>/, `<sources>${sources}</sources>`);
  if (limited === config) throw new Error('icecast.xml has no <sources> limit to replace');
  return limited;
}

/** Starts a real icecast2 on a free loopback port with the project's icecast.xml and random passwords. */
export async function startIcecast(options: StartIcecastOptions = {}): Promise<IcecastServer> {
  requirePrograms('icecast2', 'setpriv');
  const shareDir = SHARE_DIR_CANDIDATES.find((dir) => existsSync(join(dir, 'web')));
  if (!shareDir) throw new Error(`icecast2 web files not found in ${SHARE_DIR_CANDIDATES.join(', ')}`);

  const temp = await makeTempDir('icecast');
  const port = await freePort();
  const sourcePassword = randomBytes(12).toString('hex');
  const adminPassword = randomBytes(12).toString('hex');
  const logDir = join(temp.dir, 'log');
  const configPath = join(temp.dir, 'icecast.xml');
  const baseConfigPath = join(temp.dir, 'icecast-base.xml');
  const config = renderIcecastTemplate(await readFile(TEMPLATE_PATH, 'utf8'), {
    ICECAST_HOSTNAME: '127.0.0.1',
    ICECAST_BIND_ADDRESS: '127.0.0.1',
    ICECAST_PORT: String(port),
    ICECAST_SOURCE_PASSWORD: sourcePassword,
    ICECAST_RELAY_PASSWORD: randomBytes(12).toString('hex'),
    ICECAST_ADMIN_PASSWORD: adminPassword,
    ICECAST_LOG_DIR: logDir,
    ICECAST_ACCESS_LOG: 'access.log',
    ICECAST_ERROR_LOG: 'error.log',
    ICECAST_WEBROOT: join(shareDir, 'web'),
    ICECAST_ADMINROOT: join(shareDir, 'admin'),
  });
  const charset = options.defaultMountCharset === false ? withoutDefaultCharset(config) : config;
  const rendered = options.maxSources === undefined ? charset : withSourcesLimit(charset, options.maxSources);
  await writeFile(configPath, rendered);
  await writeFile(baseConfigPath, rendered);
  await makeDirWritableForIcecast(temp.dir, logDir);
  const launch = options.viaIcecastRun ? await icecastRunCommandLine([configPath], temp.dir) : icecastCommandLine(['-c', configPath]);

  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stopped = false;

  const kill = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const running = child;
    child = undefined;
    if (running) await terminate(running, signal);
  };

  const start = async (): Promise<number> => {
    if (stopped) throw new Error('this Icecast was stopped');
    if (child) throw new Error('Icecast is already running');
    let lastProblem = '';
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
      const candidate = spawnIcecast(launch);
      const ready = await waitUntilAnswering(url, adminPassword, candidate, START_TIMEOUT_MS);
      if (ready.ok) {
        child = candidate;
        return ready.at;
      }
      lastProblem = ready.problem;
      await terminate(candidate, 'SIGKILL');
    }
    const log = await readFile(join(logDir, 'error.log'), 'utf8').catch(() => '');
    throw new Error(`icecast2 did not start after ${START_ATTEMPTS} tries: ${lastProblem}\n${log.slice(-2000)}`);
  };

  const server: IcecastServer = {
    url,
    port,
    sourcePassword,
    adminPassword,
    logDir,
    configPath,
    baseConfigPath,
    kill,
    start,
    async restart(signal = 'SIGTERM') {
      await kill(signal);
      return start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill('SIGTERM');
      await temp.remove();
    },
    status: () => fetchStatus(url),
    async waitForMount(mount, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const found = (await fetchStatus(url).catch(() => ({ sources: [] }))).sources.find((s) => s.mount === mount);
        if (found) return found;
        await delay(POLL_INTERVAL_MS * 4);
      }
      throw new Error(`mount ${mount} has no source after ${timeoutMs} ms`);
    },
    errorLog: () => readFile(join(logDir, 'error.log'), 'utf8').catch(() => ''),
  };

  try {
    await start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

function withoutDefaultCharset(config: string): string {
  if (!config.includes(DEFAULT_MOUNT_CHARSET)) throw new Error(`icecast.xml no longer contains ${DEFAULT_MOUNT_CHARSET}`);
  return config.replace(DEFAULT_MOUNT_CHARSET, '');
}


function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Icecast refuses to run as root without <changeowner>; as root, hand the temp dir to its user. */
async function makeDirWritableForIcecast(dir: string, logDir: string): Promise<void> {
  await mkdir(logDir, { recursive: true });
  if (!runsAsRoot()) return;
  const uid = Number(spawnSync('id', ['-u', UNPRIVILEGED_USER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', UNPRIVILEGED_USER], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`user ${UNPRIVILEGED_USER} not found: apt-get install -y icecast2`);
  for (const path of [dir, logDir]) {
    await chown(path, uid, gid);
    await chmod(path, 0o750);
  }
  for (const file of ['icecast.xml', 'icecast-base.xml']) await chown(join(dir, file), uid, gid);
}

/**
 * How to run `icecast2 <args>` in a test: through setpriv, as the Debian package's unprivileged user when
 * we are root (Icecast refuses to run as root), with a parent-death signal so Icecast dies with the test
 * worker. Foreground (no -b), so the pid held is Icecast's: setpriv execs.
 */
export function icecastCommandLine(args: readonly string[]): [string, string[]] {
  const privileges = runsAsRoot() ? [`--reuid=${UNPRIVILEGED_USER}`, `--regid=${UNPRIVILEGED_GROUP}`, '--init-groups'] : [];
  return ['setpriv', [...privileges, '--pdeathsig', 'KILL', 'icecast2', ...args]];
}

/** The compose file's Icecast command, deploy/icecast/icecast-run (a POSIX sh script). */
export const ICECAST_RUN_SCRIPT = join(REPO_ROOT, 'deploy', 'icecast', 'icecast-run');

/**
 * How to run `icecast-run <args>` in a test, as icecastCommandLine runs icecast2 (same user, dies with the
 * test worker). The script starts icecast2 as its own child, which the parent-death signal of setpriv does
 * not reach: an `icecast2` first on the script's PATH (in `dir`, a folder Icecast's user can read) gives
 * that child a parent-death signal of its own, so Icecast dies with the script.
 */
export async function icecastRunCommandLine(args: readonly string[], dir: string): Promise<[string, string[], Record<string, string>]> {
  const real = spawnSync('sh', ['-c', 'command -v icecast2'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'icecast2'), `#!/bin/sh\nexec setpriv --pdeathsig KILL ${real} "$@"\n`, { mode: 0o755 });
  await chmod(bin, 0o755);
  const [program, launcherArgs] = icecastCommandLine([]);
  // icecastCommandLine ends with the program it runs: icecast-run instead of icecast2.
  return [program, [...launcherArgs.slice(0, -1), 'sh', ICECAST_RUN_SCRIPT, ...args], { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }];
}

function spawnIcecast([program, args, env]: readonly [string, string[], Record<string, string>?]): ChildProcess {
  const child = spawn(program, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stderr?.resume();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

type Readiness = { ok: true; at: number } | { ok: false; problem: string };

/**
 * Ready = /status-json.xsl parses and /admin/stats takes our admin password. Measured on 2.4.4: for
 * ~0.3 s after it first answers, the status JSON lacks its global stats and is invalid. The password
 * check proves the answer comes from this Icecast, not from another test's server that took the port
 * while this one was down for a restart. `at` is when it first answered HTTP at all (sources can
 * connect from then on), which is what reconnect measurements compare against.
 */
async function waitUntilAnswering(url: string, adminPassword: string, child: ChildProcess, timeoutMs: number): Promise<Readiness> {
  const deadline = performance.now() + timeoutMs;
  const auth = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
  let answeredAt: number | undefined;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return { ok: false, problem: `icecast2 exited (${child.exitCode ?? child.signalCode}) during start-up` };
    }
    const body = await httpText(`${url}/status-json.xsl`).catch(() => undefined);
    if (body !== undefined) {
      answeredAt ??= performance.now();
      if (parsesAsJson(body) && (await httpText(`${url}/admin/stats`, auth).catch(() => undefined)) !== undefined) {
        return { ok: true, at: answeredAt };
      }
    }
    await delay(POLL_INTERVAL_MS);
  }
  return { ok: false, problem: `no valid /status-json.xsl and /admin/stats within ${timeoutMs} ms` };
}

/** Icecast 2.4.4's status JSON is invalid for ~0.3 s after it first answers: only a parse says it is ready. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Children still running when the test process exits are killed, so no Icecast outlives its test. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The body of a 200 answer; rejects on any other status, an error or after 2 s. */
function httpText(url: string, authorization?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = authorization ? { Authorization: authorization } : {};
    const request = get(url, { timeout: 2_000, agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode === 200) resolve(Buffer.concat(chunks).toString('utf8'));
        else reject(new Error(`${url}: HTTP ${response.statusCode}`));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** Icecast answers invalid JSON for ~0.3 s after start-up (measured): retry the parse for up to ~2 s. */
async function fetchStatus(url: string): Promise<IcecastStatus> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      return parseStatus(JSON.parse(await httpText(`${url}/status-json.xsl`)));
    } catch (error) {
      lastError = error;
      await delay(POLL_INTERVAL_MS * 4);
    }
  }
  throw new Error(`unreadable /status-json.xsl: ${String(lastError)}`);
}

export function parseStatus(json: unknown): IcecastStatus {
  const icestats = isRecord(json) && isRecord(json.icestats) ? json.icestats : {};
  const raw = icestats.source;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  const sources = list.filter(isRecord).map((source): MountStatus => {
    const listenurl = typeof source.listenurl === 'string' ? source.listenurl : '';
    let mount = '';
    try {
      mount = new URL(listenurl).pathname;
    } catch {
      mount = listenurl;
    }
    return {
      mount,
      listeners: typeof source.listeners === 'number' ? source.listeners : 0,
      title: source.title === undefined ? undefined : String(source.title),
      bitrate: typeof source.bitrate === 'number' ? source.bitrate : undefined,
      audioInfo: typeof source.audio_info === 'string' ? source.audio_info : undefined,
      streamStart: typeof source.stream_start_iso8601 === 'string' ? source.stream_start_iso8601 : undefined,
    };
  });
  return { sources };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** ffmpeg's MP3 of a sine tone with no ID3 tag or Xing frame, so looping it is a valid MP3 stream. */
export async function makeToneMp3(path: string, seconds: number, frequencyHz = 440): Promise<Buffer> {
  requirePrograms('ffmpeg');
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=f=${frequencyHz}:d=${seconds}`, '-ac', '2', '-ar', '44100'];
  args.push('-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '0', '-write_xing', '0', '-f', 'mp3', path);
  const result = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  return readFile(path);
}

/** ffmpeg's decode errors for an MP3 file ('' when it decodes cleanly). */
export function mp3DecodeErrors(path: string): string {
  const result = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8', timeout: 60_000 });
  return `${result.stderr}${result.status === 0 ? '' : `(exit ${result.status})`}`.trim();
}

/** What the feeder needs of an IcecastSource. */
export interface StreamSink {
  write(chunk: Buffer): boolean;
  on(event: 'streaming', listener: () => void): unknown;
  off(event: 'streaming', listener: () => void): unknown;
}

export interface PacedFeeder {
  /** Bytes the source took. */
  readonly written: number;
  stop(): void;
}

/**
 * A test's stand-in for the station pacer: loops `mp3` into `source` at `bytesPerSecond` against a
 * wall-clock anchor taken at every 'streaming', `leadMs` ahead so new listeners get a burst at once.
 */
export function feedPaced(source: StreamSink, mp3: Buffer, options: { bytesPerSecond?: number; tickMs?: number; leadMs?: number } = {}): PacedFeeder {
  const bytesPerSecond = options.bytesPerSecond ?? 16_000;
  const tickMs = options.tickMs ?? 100;
  const leadBytes = ((options.leadMs ?? 1_000) * bytesPerSecond) / 1000;
  const piece = 4096;
  let position = 0;
  let written = 0;
  let anchorAt = performance.now();
  let anchorBytes = 0;
  const onStreaming = (): void => {
    anchorAt = performance.now();
    anchorBytes = written;
    tick();
  };
  const tick = (): void => {
    const due = anchorBytes + leadBytes + ((performance.now() - anchorAt) * bytesPerSecond) / 1000;
    // Bounded per tick: at most the lead plus a few ticks' worth of pieces.
    for (let i = 0; i < 64 && written < due; i += 1) {
      const length = Math.min(piece, Math.ceil(due - written), mp3.length - position);
      if (!source.write(mp3.subarray(position, position + length))) break;
      written += length;
      position = (position + length) % mp3.length;
    }
  };
  source.on('streaming', onStreaming);
  const interval = setInterval(tick, tickMs);
  return {
    get written() {
      return written;
    },
    stop() {
      clearInterval(interval);
      source.off('streaming', onStreaming);
    },
  };
}

export interface LogLine {
  level: string;
  msg: string;
  time: string;
  [key: string]: unknown;
}

/** A destination for createLogger() that keeps every line, parsed, and its raw text. */
export function captureLog(): { lines: LogLine[]; raw: string[]; write(line: string): void } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  };
}
