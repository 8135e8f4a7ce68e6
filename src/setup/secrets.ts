import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { makeFolder, writeFileAtomic } from './files.js';

/**
 * The secrets of a compose station. Each lives in its own file in a volume the services share; they read
 * it through NAME_FILE (Docker's convention, src/config/load.ts), so no secret sits in a container's
 * environment and a generated one survives restarts and upgrades.
 */
export const SECRETS = [
  { name: 'ICECAST_SOURCE_PASSWORD', file: 'icecast-source-password', minLength: 1, meaning: 'Icecast source password (worker → Icecast)' },
  { name: 'ICECAST_ADMIN_PASSWORD', file: 'icecast-admin-password', minLength: 1, meaning: 'Icecast admin password (user admin; web admin, title updates)' },
  { name: 'ICECAST_RELAY_PASSWORD', file: 'icecast-relay-password', minLength: 1, meaning: 'Icecast relay password (for a slave Icecast mirroring this one)' },
  { name: 'RELAY_TOKEN', file: 'relay-token', minLength: 16, meaning: 'bearer token between worker and relay (16+ characters)' },
  { name: 'GRAFANA_ADMIN_PASSWORD', file: 'grafana-admin-password', minLength: 1, meaning: "Grafana's admin password (the monitoring profile; Grafana keeps the one of its first start)" },
] as const;

export type SecretName = (typeof SECRETS)[number]['name'];

/** 24 random bytes: 192 bits, 32 characters of base64url (letters, digits, - and _: safe in XML, URLs and headers). */
export const GENERATED_SECRET_BYTES = 24;

/** Owner and group may read; the services' user owns the volume (see files.ts). */
export const SECRET_FILE_MODE = 0o640;

/** given: set in the environment (.env) and written to the file; kept: the file had one; generated: new now. */
export type SecretOrigin = 'given' | 'kept' | 'generated';

export interface Secret {
  readonly name: SecretName;
  readonly value: string;
  readonly path: string;
  readonly origin: SecretOrigin;
}

export type RandomBytes = (size: number) => Buffer;

/**
 * Every secret, once: a value the environment gives wins and is written to its file (an operator's
 * choice, so it may replace the file); else the file's value is kept; else a random one is generated
 * and written without ever replacing a file that appeared meanwhile.
 */
export async function ensureSecrets(
  dir: string,
  given: Partial<Record<SecretName, string>>,
  randomBytes: RandomBytes = cryptoRandomBytes,
): Promise<Record<SecretName, Secret>> {
  await makeFolder(dir, 0o750);
  const secrets = {} as Record<SecretName, Secret>;
  for (const { name, file, minLength } of SECRETS) {
    const path = join(dir, file);
    const fromEnv = given[name];
    if (fromEnv !== undefined) {
      if (fromEnv.length < minLength) throw new ConfigError(name, `must be at least ${minLength} characters`);
      if ((await readSecretFile(path)) !== fromEnv) await writeFileAtomic(path, `${fromEnv}\n`, { mode: SECRET_FILE_MODE });
      secrets[name] = { name, value: fromEnv, path, origin: 'given' };
      continue;
    }
    const stored = await readSecretFile(path);
    if (stored) {
      secrets[name] = { name, value: stored, path, origin: 'kept' };
      continue;
    }
    const value = randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
    try {
      // An empty file is no secret: replace it. Otherwise never overwrite (another setup may have won).
      await writeFileAtomic(path, `${value}\n`, { mode: SECRET_FILE_MODE, exclusive: stored === undefined });
      secrets[name] = { name, value, path, origin: 'generated' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      secrets[name] = { name, value: (await readSecretFile(path)) ?? '', path, origin: 'kept' };
    }
  }
  return secrets;
}

/** The file's secret ('' for an empty file), or undefined when there is no file. */
async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
