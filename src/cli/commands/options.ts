import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_ICECAST_URL } from '../../icecast/defaults.js';

/**
 * Where the CLI finds Redis, the relay and Icecast: a flag, else the environment, else a loopback
 * default. The only module of the CLI commands that reads process.env.
 */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_RELAY_URL = 'http://127.0.0.1:8780';

export interface ConnectionFlags {
  readonly redis?: string;
  readonly relay?: string;
  readonly relayToken?: string;
  readonly icecast?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

export function addRedisOption(command: Command): Command {
  return command.option('--redis <url>', `Redis URL (env REDIS_URL, default ${DEFAULT_REDIS_URL})`);
}

export function addRelayOptions(command: Command): Command {
  return command
    .option('--relay <url>', `relay URL (env RELAY_URL, default ${DEFAULT_RELAY_URL})`)
    .option('--relay-token <token>', 'relay bearer token (env RELAY_TOKEN; prefer the env: flags show in ps)');
}

export function addIcecastOption(command: Command): Command {
  return command.option('--icecast <url>', `Icecast base URL for listener counts (env ICECAST_URL, default ${DEFAULT_ICECAST_URL})`);
}

export function redisUrlOf(flags: ConnectionFlags, env: Env = process.env): string {
  return nonEmpty(flags.redis) ?? nonEmpty(env.REDIS_URL) ?? DEFAULT_REDIS_URL;
}

export function relaySettingsOf(flags: ConnectionFlags, env: Env = process.env): { baseUrl: string; token: string } {
  return {
    baseUrl: nonEmpty(flags.relay) ?? nonEmpty(env.RELAY_URL) ?? DEFAULT_RELAY_URL,
    token: nonEmpty(flags.relayToken) ?? nonEmpty(env.RELAY_TOKEN) ?? secretFile(env.RELAY_TOKEN_FILE) ?? '',
  };
}

/** RELAY_TOKEN_FILE, Docker's way to hand over a secret: inside the compose containers the token is a file. */
function secretFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return nonEmpty(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

export function icecastUrlOf(flags: ConnectionFlags, env: Env = process.env): string {
  return nonEmpty(flags.icecast) ?? nonEmpty(env.ICECAST_URL) ?? DEFAULT_ICECAST_URL;
}

/**
 * The options of a command merged with its parents', the command's own first. (`queue` and its
 * subcommands share option names, and commander lets the parent consume them wherever they appear.)
 */
export function optionsOf<T extends object>(command: Command): T {
  const merged: Record<string, unknown> = {};
  for (let current: Command | null = command; current; current = current.parent) {
    for (const [key, value] of Object.entries(current.opts())) {
      if (merged[key] === undefined && value !== undefined) merged[key] = value;
    }
  }
  return merged as T;
}
