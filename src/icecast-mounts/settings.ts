import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseEdgeMaster, type EdgeMaster } from './edge-master.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Every environment variable `relaycast icecast-config` reads, with its default and meaning (the README's table). */
export const ICECAST_CONFIG_ENV_SETTINGS = [
  { name: 'ICECAST_BASE_CONFIG_PATH', default: undefined, meaning: 'the base config: icecast.xml as `relaycast setup` rendered it, with its station-mounts marker (read, polled every 2 s; default: icecast-base.xml beside ICECAST_CONFIG_PATH)' },
  { name: 'ICECAST_CONFIG_PATH', default: '/config/icecast.xml', meaning: 'the config Icecast reads: the base with every station\'s mount blocks (written, mode 0640, only when it changes)' },
  { name: 'REDIS_URL', default: undefined, meaning: 'Redis of the stations (required)' },
  { name: 'ICECAST_EDGE_MASTER', default: undefined, meaning: 'host:port of the master Icecast: renders an edge\'s config, relaying every station and fallback mount from it; unset = a master\'s config' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug or trace' },
] as const;

export interface IcecastConfigSettings {
  readonly basePath: string;
  readonly outputPath: string;
  readonly redisUrl: string;
  readonly edge: EdgeMaster | undefined;
  readonly logLevel: string;
}

const settingsSchema = z.object({
  ICECAST_BASE_CONFIG_PATH: z.string().min(1, 'must not be empty').optional(),
  ICECAST_CONFIG_PATH: z.string().min(1, 'must not be empty'),
  REDIS_URL: z.string({ error: 'is required: the stations are in Redis' }).regex(/^rediss?:\/\/./, 'must be a redis:// URL'),
  ICECAST_EDGE_MASTER: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug or trace' }),
});

/** The base's default place: beside the config Icecast reads, in the same volume (setup writes both). */
export function defaultBaseConfigPath(configPath: string): string {
  return join(dirname(configPath), 'icecast-base.xml');
}

/** Reads and checks every setting once; a bad one is a ConfigError naming its variable, on one line. */
export function readIcecastConfigSettings(env: Env): IcecastConfigSettings {
  const given = Object.fromEntries(
    ICECAST_CONFIG_ENV_SETTINGS.map((setting) => [setting.name, env[setting.name] === undefined || env[setting.name] === '' ? setting.default : env[setting.name]]),
  );
  const parsed = settingsSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  const settings = parsed.data;
  const basePath = settings.ICECAST_BASE_CONFIG_PATH ?? defaultBaseConfigPath(settings.ICECAST_CONFIG_PATH);
  if (basePath === settings.ICECAST_CONFIG_PATH) {
    throw new ConfigError('ICECAST_CONFIG_PATH', 'must differ from ICECAST_BASE_CONFIG_PATH: the base is read, this file is written');
  }
  return {
    basePath,
    outputPath: settings.ICECAST_CONFIG_PATH,
    redisUrl: settings.REDIS_URL,
    edge: settings.ICECAST_EDGE_MASTER === undefined ? undefined : parseEdgeMaster(settings.ICECAST_EDGE_MASTER),
    logLevel: settings.LOG_LEVEL,
  };
}
