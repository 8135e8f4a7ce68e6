import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { loadRelaySettings } from '../config/relay-environment.js';
import { describeError } from '../errors.js';
import { fallbackMountOf } from '../station-rules/index.js';
import { closeRedis, connectRedis, createStore } from '../store/index.js';
import { readWebSettings } from '../web/settings.js';

/**
 * The container healthcheck of the relaycast image. What "healthy" means depends on the command the
 * container runs: `relaycast relay` answers GET /healthz; `relaycast start` has every mount it should
 * stream on air at Icecast; `relaycast web` answers its station list. Setup is a one-shot and has nothing to check.
 */
export type HealthRole = 'relay' | 'station' | 'web';

export interface HealthResult {
  readonly healthy: boolean;
  readonly detail: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every probe of one check answers within this, so the whole check stays inside Docker's timeout. */
const REQUEST_TIMEOUT_MS = 2_500;

/** The role of a relaycast command line (`node …/cli/main.js relay` → relay), or undefined for any other. */
export function roleOfCommandLine(argv: readonly string[]): HealthRole | undefined {
  const cli = argv.findIndex((arg) => /(^|\/)(relaycast|cli\/main\.js)$/.test(arg));
  if (cli < 0) return undefined;
  const command = argv.slice(cli + 1).find((arg) => !arg.startsWith('-'));
  if (command === 'relay') return 'relay';
  if (command === 'start') return 'station';
  if (command === 'web') return 'web';
  return undefined;
}

/**
 * The role of the relaycast process running in this container, found in /proc: Docker runs the healthcheck
 * beside the container's command, so the image's one HEALTHCHECK serves every service it runs.
 */
export async function detectRole(procDir = '/proc'): Promise<HealthRole | undefined> {
  const pids = (await readdir(procDir).catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids.sort((a, b) => Number(a) - Number(b))) {
    if (Number(pid) === process.pid) continue;
    const cmdline = await readFile(join(procDir, pid, 'cmdline'), 'utf8').catch(() => '');
    const role = roleOfCommandLine(cmdline.split('\0').filter(Boolean));
    if (role) return role;
  }
  return undefined;
}

export async function checkHealth(role: HealthRole | undefined, env: Env): Promise<HealthResult> {
  try {
    if (role === 'relay') return await checkRelay(env);
    if (role === 'station') return await checkStations(env);
    if (role === 'web') return await checkWeb(env);
    return { healthy: true, detail: 'no relaycast relay or start process here: nothing to check' };
  } catch (error) {
    return { healthy: false, detail: describeError(error) };
  }
}

/** The relay answers its unauthenticated /healthz on the address it listens on. */
async function checkRelay(env: Env): Promise<HealthResult> {
  const { config } = await loadRelaySettings(env);
  return await checkAnswers('relay', localUrl(config.listen.host, config.listen.port, '/healthz'));
}

/** The web service lists the stations: it is up and reaches Redis (the list comes from there). */
async function checkWeb(env: Env): Promise<HealthResult> {
  const settings = readWebSettings(env);
  return await checkAnswers('web', localUrl(settings.host, settings.port, '/api/stations'));
}

/** A URL on this container for a service listening on `host` (every interface = loopback). */
function localUrl(host: string, port: number, path: string): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}${path}`;
}

async function checkAnswers(service: string, url: string): Promise<HealthResult> {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  await response.body?.cancel();
  return response.ok ? { healthy: true, detail: `${service} answers at ${url}` } : { healthy: false, detail: `${service} answered ${response.status} at ${url}` };
}

/**
 * Every station the fleet streams (those of this process's environment or config, and those in Redis) has a
 * source on Icecast, whichever worker plays it; for a fallback worker (WORKER_ROLE=fallback), every stored
 * station's fallback mount. Hidden mounts (the fallbacks) appear only in the admin list, so that is asked
 * when the admin password is known.
 */
async function checkStations(env: Env): Promise<HealthResult> {
  const config = await loadConfig(env, env.RELAYCAST_CONFIG);
  const feedsFallbacks = config.workerRole === 'fallback';
  const mounts = new Set(feedsFallbacks ? [] : config.stations.map((station) => station.mount));
  if (config.redis.url) {
    const redis = await connectRedis(config.redis.url);
    try {
      for (const station of await createStore(redis).stations.list()) mounts.add(feedsFallbacks ? fallbackMountOf(station.mount) : station.mount);
    } finally {
      await closeRedis(redis);
    }
  }
  if (mounts.size === 0) return { healthy: true, detail: 'no stations to stream' };
  const live = await liveMounts(config.icecast.url, config.icecast.adminUser ?? 'admin', config.icecast.adminPassword);
  const missing = [...mounts].filter((mount) => !live.has(mount)).sort();
  return missing.length === 0
    ? { healthy: true, detail: `on air: ${[...mounts].sort().join(' ')}` }
    : { healthy: false, detail: `not on air at ${config.icecast.url}: ${missing.join(' ')}` };
}

async function liveMounts(icecastUrl: string, adminUser: string, adminPassword: string | undefined): Promise<Set<string>> {
  const base = icecastUrl.replace(/\/+$/, '');
  if (adminPassword) {
    const authorization = `Basic ${Buffer.from(`${adminUser}:${adminPassword}`).toString('base64')}`;
    const xml = await httpText(`${base}/admin/listmounts`, { authorization });
    return new Set([...xml.matchAll(/<source mount="([^"]+)"/g)].map((match) => match[1]!));
  }
  return mountsOfStatusJson(await httpText(`${base}/status-json.xsl`));
}

/** The mounts listed in Icecast's /status-json.xsl (`source` is an object for one mount, an array for more). */
export function mountsOfStatusJson(text: string): Set<string> {
  const json = JSON.parse(text) as { icestats?: { source?: unknown } };
  const source = json.icestats?.source;
  const list = Array.isArray(source) ? source : source ? [source] : [];
  const mounts = new Set<string>();
  for (const entry of list) {
    const listenurl = (entry as { listenurl?: unknown }).listenurl;
    if (typeof listenurl === 'string' && URL.canParse(listenurl)) mounts.add(new URL(listenurl).pathname);
  }
  return mounts;
}

async function httpText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url.replace(/\/\/[^@/]*@/, '//')} answered ${response.status}`);
  return text;
}
