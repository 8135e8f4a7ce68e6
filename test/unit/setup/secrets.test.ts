import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { ensureSecrets, SECRETS, type SecretName } from '../../../src/setup/index.js';
import { makeTempDir } from '../../support/tmp.js';

/** A predictable random source: every call returns bytes of the next value. */
function fakeRandom(start = 1) {
  let next = start;
  return (size: number) => Buffer.alloc(size, next++);
}

describe('ensureSecrets', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let dir: string;

  beforeEach(async () => {
    temp = await makeTempDir('secrets');
    dir = join(temp.dir, 'secrets');
  });
  afterEach(() => temp.remove());

  it('generates each unset secret once: 192 random bits as 32 base64url characters, in its own 0640 file', async () => {
    const secrets = await ensureSecrets(dir, {}, fakeRandom());
    for (const { name, file } of SECRETS) {
      const secret = secrets[name];
      expect(secret.origin).toBe('generated');
      expect(secret.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(secret.path).toBe(join(dir, file));
      expect(await readFile(secret.path, 'utf8')).toBe(`${secret.value}\n`);
      expect((await stat(secret.path)).mode & 0o777).toBe(0o640);
    }
    expect(new Set(Object.values(secrets).map((secret) => secret.value)).size).toBe(SECRETS.length);
  });

  it('keeps generated secrets across runs: a second run reads them and writes nothing', async () => {
    const first = await ensureSecrets(dir, {}, fakeRandom(1));
    const mtimes = await Promise.all(SECRETS.map(async ({ name }) => (await stat(first[name].path)).mtimeMs));
    const second = await ensureSecrets(dir, {}, fakeRandom(99));
    for (const { name } of SECRETS) expect(second[name]).toEqual({ ...first[name], origin: 'kept' });
    expect(await Promise.all(SECRETS.map(async ({ name }) => (await stat(second[name].path)).mtimeMs))).toEqual(mtimes);
  });

  it('a value the environment gives wins and is written to the file the services read', async () => {
    await ensureSecrets(dir, {}, fakeRandom());
    const given: Partial<Record<SecretName, string>> = { ICECAST_ADMIN_PASSWORD: 'chosen by the operator', RELAY_TOKEN: 'a-relay-token-of-32-characters!!' };
    const secrets = await ensureSecrets(dir, given, fakeRandom(50));
    expect(secrets.ICECAST_ADMIN_PASSWORD).toMatchObject({ value: 'chosen by the operator', origin: 'given' });
    expect(await readFile(join(dir, 'icecast-admin-password'), 'utf8')).toBe('chosen by the operator\n');
    expect(secrets.RELAY_TOKEN.origin).toBe('given');
    expect(secrets.ICECAST_SOURCE_PASSWORD.origin).toBe('kept');
  });

  it('replaces an empty secret file with a generated secret', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'icecast-source-password'), '\n');
    const secrets = await ensureSecrets(dir, {}, fakeRandom());
    expect(secrets.ICECAST_SOURCE_PASSWORD.origin).toBe('generated');
    expect((await readFile(join(dir, 'icecast-source-password'), 'utf8')).trim()).toHaveLength(32);
  });

  it('refuses a relay token shorter than the relay accepts, naming the variable', async () => {
    const attempt = ensureSecrets(dir, { RELAY_TOKEN: 'short' }, fakeRandom());
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(ensureSecrets(dir, { RELAY_TOKEN: 'short' }, fakeRandom())).rejects.toThrow('RELAY_TOKEN: must be at least 16 characters');
  });
});
