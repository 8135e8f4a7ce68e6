import { ConfigError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Every environment variable `relaycast web` reads, with its default and meaning (the README's web table). */
export const WEB_ENV_SETTINGS = [
  { name: 'WEB_HOST', default: '127.0.0.1', meaning: 'address the web service listens on (0.0.0.0 for every interface)' },
  { name: 'WEB_PORT', default: '8090', meaning: 'port it listens on' },
  { name: 'REDIS_URL', default: undefined, meaning: 'Redis of the stations (required)' },
  { name: 'ICECAST_PUBLIC_URL', default: 'http://localhost:8000', meaning: "Icecast's base URL as listeners reach it: stream links are built on it" },
  { name: 'ICECAST_URL', default: 'http://127.0.0.1:8000', meaning: 'Icecast as this service reaches it, for listener counts (/status-json.xsl, at most every 10 s)' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug or trace' },
] as const;

export interface WebSettings {
  readonly host: string;
  readonly port: number;
  readonly redisUrl: string;
  /** Ends with `/`, so a mount resolves under it. */
  readonly icecastPublicUrl: string;
  readonly icecastUrl: string;
  readonly logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks every setting once; a bad one is a ConfigError naming its variable, on one line. */
export function readWebSettings(env: Env): WebSettings {
  const value = (name: (typeof WEB_ENV_SETTINGS)[number]['name']): string | undefined => {
    const given = env[name];
    return given === undefined || given === '' ? WEB_ENV_SETTINGS.find((setting) => setting.name === name)!.default : given;
  };
  const redisUrl = value('REDIS_URL');
  if (redisUrl === undefined) throw new ConfigError('REDIS_URL', 'is required: the stations live in Redis, e.g. redis://127.0.0.1:6379');
  if (!/^rediss?:\/\/./.test(redisUrl)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const port = Number(value('WEB_PORT'));
  if (!/^\d+$/.test(value('WEB_PORT')!) || port > 65535) throw new ConfigError('WEB_PORT', `must be a port number 0-65535, got ${JSON.stringify(value('WEB_PORT'))}`);
  const logLevel = value('LOG_LEVEL')!;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', 'must be fatal, error, warn, info, debug or trace');
  return {
    host: value('WEB_HOST')!,
    port,
    redisUrl,
    icecastPublicUrl: httpBase('ICECAST_PUBLIC_URL', value('ICECAST_PUBLIC_URL')!),
    icecastUrl: httpBase('ICECAST_URL', value('ICECAST_URL')!),
    logLevel,
  };
}

/** An http(s) base URL without credentials, query or fragment, ending with `/`. */
function httpBase(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, `must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  // Stream links are shown to every visitor: a password in them would be published.
  if (url.username || url.password) throw new ConfigError(name, 'must not carry a user or password');
  if (url.search || url.hash) throw new ConfigError(name, 'must not carry a query string or fragment');
  return url.pathname.endsWith('/') ? url.href : `${url.href}/`;
}
