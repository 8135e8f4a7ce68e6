import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_ICECAST_URL } from '../icecast/index.js';
import { isFileLocation } from '../location.js';
import { ENV_SETTINGS } from './environment.js';
import { issueMessage } from './issue-message.js';
import { configSchema, type Config } from './schema.js';

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string | number, unknown>;

/** Reads the config file (if any), applies the environment on top, and validates the whole. */
export async function loadConfig(env: Env, filePath = env.RELAYCAST_CONFIG): Promise<Config> {
  const fromFile = filePath ? await readConfigFile(filePath) : {};
  const { merged, origins } = applyEnvironment(fromFile, await withSecretFiles(env, ENV_SETTINGS.map((setting) => setting.name)));
  const config = withSecretFilePaths(validate(merged, origins, filePath), env);
  return filePath ? resolveRelativePaths(config, dirname(resolve(filePath))) : config;
}

/**
 * Remembers the file of each secret that came from NAME_FILE: those files are rewritten when the operator
 * changes a secret (`relaycast setup`), and the running worker reads them again. A value set directly stays.
 */
function withSecretFilePaths(config: Config, env: Env): Config {
  const fileOf = (name: string) => (env[name] ? undefined : env[`${name}_FILE`] || undefined);
  const sourcePasswordFile = fileOf('ICECAST_SOURCE_PASSWORD');
  const adminPasswordFile = fileOf('ICECAST_ADMIN_PASSWORD');
  const tokenFile = fileOf('RELAY_TOKEN');
  return {
    ...config,
    icecast: { ...config.icecast, ...(sourcePasswordFile && { sourcePasswordFile }), ...(adminPasswordFile && { adminPasswordFile }) },
    relay: { ...config.relay, ...(tokenFile && { tokenFile }) },
  };
}

async function readConfigFile(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError('RELAYCAST_CONFIG', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Json;
  } catch (error) {
    throw new ConfigError(path, `is not a JSON object (${(error as Error).message})`);
  }
}

function applyEnvironment(base: Json, env: Env): { merged: Json; origins: Map<string, string> } {
  const merged = structuredClone(base);
  const origins = new Map<string, string>();
  for (const setting of ENV_SETTINGS) {
    const value = env[setting.name];
    if (setting.path.length === 0 || value === undefined || value === '') continue;
    setPath(merged, setting.path, setting.parse ? setting.parse(value) : value);
    origins.set(setting.path.join('.'), setting.name);
  }
  if (getPath(merged, ['icecast', 'url']) === undefined) setPath(merged, ['icecast', 'url'], DEFAULT_ICECAST_URL);
  return { merged, origins };
}

function validate(raw: Json, origins: Map<string, string>, filePath: string | undefined): Config {
  // reportInput: the value goes into the message (zod leaves it out by default).
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(nameOf(issue, origins, filePath), issueMessage(issue));
}

function nameOf(issue: z.core.$ZodIssue, origins: Map<string, string>, filePath: string | undefined): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const fromEnv = origins.get(path.join('.'));
  if (fromEnv) return fromEnv;
  const key = path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`)).join('');
  const hint = envNameFor(path);
  return `${key || '(root)'}${hint ? ` (or ${hint})` : ''}${filePath ? ` in ${filePath}` : ''}`;
}

function envNameFor(path: readonly PropertyKey[]): string | undefined {
  return ENV_SETTINGS.find((setting) => setting.path.join('.') === path.join('.'))?.name;
}

function resolveRelativePaths(config: Config, baseDir: string): Config {
  const absolute = (path: string | undefined) => (path === undefined || isAbsolute(path) || !isFileLocation(path) ? path : resolve(baseDir, path));
  return {
    ...config,
    musicDir: absolute(config.musicDir),
    cacheDir: absolute(config.cacheDir),
    stations: config.stations.map((station) => ({
      ...station,
      playlistFile: absolute(station.playlistFile),
      songs: station.songs.map((entry) => (typeof entry === 'string' ? absolute(entry)! : { ...entry, input: absolute(entry.input)! })),
    })),
  };
}

function getPath(target: Json, path: readonly (string | number)[]): unknown {
  let node: unknown = target;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function setPath(target: Json, path: readonly (string | number)[], value: unknown): void {
  let node: Json = target;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = typeof path[index + 1] === 'number' ? [] : {};
    node = node[key] as Json;
  });
}

/**
 * Docker's convention for secrets: NAME_FILE names a file holding NAME's value (a generated password in a
 * shared volume), so secrets need not sit in the environment. Only the given names are looked at (other
 * programs' *_FILE variables are none of our business); a value set directly wins.
 */
export async function withSecretFiles(env: Env, names: readonly string[]): Promise<Env> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const target of names) {
    const path = env[`${target}_FILE`];
    if (!path || resolved[target]) continue;
    try {
      resolved[target] = (await readFile(path, 'utf8')).trim();
    } catch (error) {
      throw new ConfigError(`${target}_FILE`, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return resolved;
}
