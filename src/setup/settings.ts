import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSecretFiles } from '../config/index.js';
import { hasControlChars } from '../control-chars.js';
import { ConfigError } from '../errors.js';
import { defaultBaseConfigPath } from '../icecast-mounts/index.js';
import { SECRETS, type SecretName } from './secrets.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The icecast.xml template shipped with relaycast: the top-level file of the package, /app/icecast.xml in
 * the image. This module runs from dist/src/setup/ when built and from src/setup/ under the tests.
 */
const TEMPLATE_CANDIDATES = ['../../../icecast.xml', '../../icecast.xml'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
export const BUNDLED_ICECAST_TEMPLATE = TEMPLATE_CANDIDATES.find((path) => existsSync(path)) ?? TEMPLATE_CANDIDATES[0]!;

/**
 * Every environment variable `relaycast setup` reads, with its default and meaning (the README's setup
 * table). The defaults are the container's paths; the compose file states them anyway, so that the test
 * that runs the compose services natively sees, and replaces, every path and port.
 */
export const SETUP_ENV_SETTINGS = [
  { name: 'SECRETS_DIR', default: '/secrets', meaning: 'folder of the secrets, one file each, shared with the services (a volume)' },
  ...SECRETS.map((secret) => ({ name: secret.name, default: undefined, meaning: `${secret.meaning}; unset = generated once into SECRETS_DIR/${secret.file}` })),
  { name: 'ICECAST_CONFIG_TEMPLATE', default: undefined, meaning: 'the icecast.xml template (default: the one shipped with relaycast)' },
  { name: 'ICECAST_BASE_CONFIG_PATH', default: undefined, meaning: 'where the rendered template is written: the base `relaycast icecast-config` adds the station mounts to (default: icecast-base.xml beside ICECAST_CONFIG_PATH)' },
  { name: 'ICECAST_CONFIG_PATH', default: '/config/icecast.xml', meaning: "the config Icecast reads: the base with every station's mount blocks (from Redis; none without REDIS_URL)" },
  { name: 'ICECAST_HOSTNAME', default: 'localhost', meaning: 'host name Icecast puts in stream URLs and .m3u/.xspf files' },
  { name: 'ICECAST_BIND_ADDRESS', default: '0.0.0.0', meaning: 'address Icecast listens on' },
  { name: 'ICECAST_PORT', default: '8000', meaning: 'port Icecast listens on' },
  { name: 'ICECAST_LOG_DIR', default: '/var/log/icecast2', meaning: "Icecast's log folder" },
  { name: 'ICECAST_ACCESS_LOG', default: '-', meaning: 'access log file name in the log folder, "-" for stderr' },
  { name: 'ICECAST_ERROR_LOG', default: '-', meaning: 'error log file name in the log folder, "-" for stderr' },
  { name: 'ICECAST_WEBROOT', default: '/usr/share/icecast2/web', meaning: "Icecast's web files (Debian's icecast2 package)" },
  { name: 'ICECAST_ADMINROOT', default: '/usr/share/icecast2/admin', meaning: "Icecast's admin files (Debian's icecast2 package)" },
  { name: 'MUSIC_DIR', default: '/music', meaning: "the relay's music folder: demo songs go into it when it holds no audio; the default playlist lists its files" },
  { name: 'DEMO_SONGS', default: '1', meaning: '1: make demo songs in MUSIC_DIR/demo when MUSIC_DIR holds no audio file; 0: never' },
  { name: 'REDIS_URL', default: undefined, meaning: 'Redis of the stations: when it has none, a default playlist and station are created; unset = not done' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug or trace' },
] as const;

/** Template placeholders that come straight from a setting (the passwords come from the secrets). */
export const ICECAST_TEMPLATE_SETTINGS = [
  'ICECAST_HOSTNAME',
  'ICECAST_BIND_ADDRESS',
  'ICECAST_PORT',
  'ICECAST_LOG_DIR',
  'ICECAST_ACCESS_LOG',
  'ICECAST_ERROR_LOG',
  'ICECAST_WEBROOT',
  'ICECAST_ADMINROOT',
] as const;

export type IcecastTemplateSetting = (typeof ICECAST_TEMPLATE_SETTINGS)[number];

export interface SetupSettings {
  secretsDir: string;
  /** Secrets the environment sets (directly or with NAME_FILE); the others are generated or kept. */
  givenSecrets: Partial<Record<SecretName, string>>;
  icecastTemplate: string;
  icecastBaseConfigPath: string;
  icecastConfigPath: string;
  icecastValues: Record<IcecastTemplateSetting, string>;
  musicDir: string;
  demoSongs: boolean;
  redisUrl: string | undefined;
  logLevel: string;
}

/** Reads and checks every setting once; a bad value is a ConfigError naming the variable. */
export async function readSetupSettings(rawEnv: Env): Promise<SetupSettings> {
  const env = await withSecretFiles(rawEnv, SETUP_ENV_SETTINGS.map((setting) => setting.name));
  const value = (name: (typeof SETUP_ENV_SETTINGS)[number]['name']): string | undefined => {
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    return SETUP_ENV_SETTINGS.find((setting) => setting.name === name)?.default;
  };
  const givenSecrets: Partial<Record<SecretName, string>> = {};
  for (const secret of SECRETS) {
    const given = value(secret.name);
    if (given !== undefined) givenSecrets[secret.name] = checkSecret(secret.name, given);
  }
  const icecastValues = Object.fromEntries(ICECAST_TEMPLATE_SETTINGS.map((name) => [name, value(name)!])) as Record<IcecastTemplateSetting, string>;
  checkPort('ICECAST_PORT', icecastValues.ICECAST_PORT);
  const demo = value('DEMO_SONGS')!;
  if (demo !== '0' && demo !== '1') throw new ConfigError('DEMO_SONGS', 'must be 1 (make demo songs when the music folder is empty) or 0');
  if (value('ICECAST_BASE_CONFIG_PATH') === value('ICECAST_CONFIG_PATH')) {
    // The one file would be overwritten with the stations' blocks, losing the marker they go at.
    throw new ConfigError('ICECAST_BASE_CONFIG_PATH', 'must differ from ICECAST_CONFIG_PATH: the base is the template alone, Icecast reads the base with the stations');
  }
  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) throw new ConfigError('REDIS_URL', 'must be a redis:// URL');
  return {
    secretsDir: value('SECRETS_DIR')!,
    givenSecrets,
    icecastTemplate: value('ICECAST_CONFIG_TEMPLATE') ?? BUNDLED_ICECAST_TEMPLATE,
    icecastBaseConfigPath: value('ICECAST_BASE_CONFIG_PATH') ?? defaultBaseConfigPath(value('ICECAST_CONFIG_PATH')!),
    icecastConfigPath: value('ICECAST_CONFIG_PATH')!,
    icecastValues,
    musicDir: value('MUSIC_DIR')!,
    demoSongs: demo === '1',
    redisUrl,
    logLevel: value('LOG_LEVEL')!,
  };
}

function checkSecret(name: SecretName, secret: string): string {
  // A secret travels in HTTP headers and in a one-line file: a line break would cut it silently.
  if (hasControlChars(secret)) throw new ConfigError(name, 'contains control characters (a line break?)');
  if (secret.trim() !== secret) throw new ConfigError(name, 'has leading or trailing spaces');
  return secret;
}

function checkPort(name: string, port: string): void {
  const number = Number(port);
  if (!/^\d+$/.test(port) || number < 1 || number > 65535) throw new ConfigError(name, 'must be a port number 1-65535');
}
