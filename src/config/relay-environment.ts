import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { withSecretFiles } from './load.js';
import { TrustProxySchema, parseRelayConfig, type RelayConfig } from '../relay/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Every environment variable `relaycast relay` reads and what it means (the README's relay table). */
export const RELAY_ENV_SETTINGS = [
  { name: 'RELAY_CONFIG', meaning: 'JSON file in the relay config shape (src/relay/config.ts); the variables below go on top' },
  { name: 'RELAY_TOKEN', meaning: 'bearer token every client must send (16+ characters, required)' },
  { name: 'RELAY_HOST', meaning: 'address to listen on', default: '127.0.0.1' },
  { name: 'RELAY_PORT', meaning: 'port to listen on', default: '8780' },
  { name: 'RELAY_PUBLIC_URL', meaning: 'where workers reach the relay; local-file URLs are built on it', default: 'http://RELAY_HOST:RELAY_PORT/' },
  { name: 'RELAY_TRUST_PROXY', meaning: 'believe X-Forwarded-For from this many proxy hops (1) or from these proxy addresses (10.0.0.2,10.1.0.0/16)', default: 'off' },
  { name: 'MUSIC_DIR', meaning: 'folder of audio files and .m3u playlists: enables the local provider' },
  { name: 'NETEASE_API_URL', meaning: 'NeteaseCloudMusicApi-compatible server: enables the netease provider' },
  { name: 'NETEASE_REAL_IP', meaning: 'mainland IPv4 sent as realIP= (the -460 workaround)' },
  { name: 'QQ_ENABLED', meaning: '1 enables the qq provider against QQ Music\'s own musicu.fcg' },
  { name: 'QQ_MUSIC_API_URL', meaning: 'a jsososo QQMusicApi server to use instead of musicu.fcg' },
  { name: 'QQ_FALLBACK_SIP', meaning: 'stream host used when QQ lists none' },
  { name: 'METRICS_PORT', meaning: 'port of GET /metrics (Prometheus), on RELAY_HOST; unset = no metrics served' },
  { name: 'RELAY_MATCH', meaning: '0 turns off the cross-provider match (a song refused by NetEase or QQ played from the other when it is surely the same recording)', default: '1' },
] as const;

export interface RelaySettings {
  config: RelayConfig;
  logLevel: string;
}

/** The relay's settings: RELAY_CONFIG's file, then the environment on top, validated once. */
export async function loadRelaySettings(rawEnv: Env): Promise<RelaySettings> {
  const env = await withSecretFiles(rawEnv, [...RELAY_ENV_SETTINGS.map((setting) => setting.name), 'LOG_LEVEL']);
  // From RELAY_TOKEN_FILE (a value set directly wins): the running relay reads the file again when it changes.
  const tokenFile = rawEnv.RELAY_TOKEN ? undefined : rawEnv.RELAY_TOKEN_FILE || undefined;
  return { config: await loadRelayConfig(env, tokenFile), logLevel: env.LOG_LEVEL ?? 'info' };
}

async function loadRelayConfig(env: Env, tokenFile: string | undefined): Promise<RelayConfig> {
  const base = env.RELAY_CONFIG ? await readJson(env.RELAY_CONFIG) : {};
  const host = env.RELAY_HOST ?? base.listen?.host ?? '127.0.0.1';
  const port = env.RELAY_PORT ? toPort(env.RELAY_PORT, 'RELAY_PORT', 0) : (base.listen?.port ?? 8780);
  const config: Record<string, unknown> = { ...base, listen: { host, port } };
  if (env.RELAY_TOKEN) config.token = env.RELAY_TOKEN;
  if (tokenFile) config.tokenFile = tokenFile;
  if (env.MUSIC_DIR) config.local = { ...(base.local ?? {}), musicDir: env.MUSIC_DIR };
  if (env.NETEASE_API_URL) config.netease = { ...(base.netease ?? {}), baseUrl: env.NETEASE_API_URL, ...(env.NETEASE_REAL_IP ? { realIp: env.NETEASE_REAL_IP } : {}) };
  if (env.QQ_ENABLED === '1' || env.QQ_MUSIC_API_URL) {
    config.qq = {
      ...(base.qq ?? {}),
      ...(env.QQ_MUSIC_API_URL ? { api: 'qqmusicapi', qqMusicApiUrl: env.QQ_MUSIC_API_URL } : {}),
      ...(env.QQ_FALLBACK_SIP ? { fallbackSip: env.QQ_FALLBACK_SIP } : {}),
    };
  }
  if (env.RELAY_TRUST_PROXY) config.trustProxy = trustProxyOf(env.RELAY_TRUST_PROXY);
  if (env.RELAY_MATCH !== undefined) config.match = matchOf(env.RELAY_MATCH);
  if (env.METRICS_PORT) config.metrics = { port: toPort(env.METRICS_PORT, 'METRICS_PORT', 1) };
  config.publicBaseUrl = env.RELAY_PUBLIC_URL ?? base.publicBaseUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
  if (!config.token) throw new ConfigError('RELAY_TOKEN', 'is required: the relay never runs without a token');
  return parseRelayConfig(config);
}

interface RelayFile {
  listen?: { host?: string; port?: number };
  local?: object;
  netease?: object;
  qq?: object;
  publicBaseUrl?: string;
}

async function readJson(path: string): Promise<RelayFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as RelayFile;
  } catch (error) {
    throw new ConfigError('RELAY_CONFIG', `cannot use ${path}: ${(error as Error).message}`);
  }
}

/** `2` (hops) or `10.0.0.2, 10.1.0.0/16` (proxies); checked here so the error names the variable. */
function trustProxyOf(value: string): number | string[] {
  const text = value.trim();
  const parsed = TrustProxySchema.safeParse(/^\d+$/.test(text) ? Number(text) : text.split(',').map((entry) => entry.trim()));
  if (!parsed.success) {
    throw new ConfigError('RELAY_TRUST_PROXY', `${JSON.stringify(value)} is neither a number of proxy hops (1-10) nor a comma-separated list of proxy addresses or CIDR ranges, e.g. 1 or 10.0.0.2,10.1.0.0/16`);
  }
  return parsed.data as number | string[];
}

function matchOf(value: string): boolean {
  if (value === '0' || value === '1') return value === '1';
  throw new ConfigError('RELAY_MATCH', `${JSON.stringify(value)} is neither 0 (off) nor 1 (on, the default)`);
}

function toPort(value: string, name: string, lowest: number): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < lowest || port > 65535) throw new ConfigError(name, `must be a port number ${lowest}-65535`);
  return port;
}
