import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretFile, fixedSecret, secretOf } from '../../src/secret-file.js';
import { createLogger } from '../../src/log/index.js';
import { captureLog } from '../support/icecast.js';
import { makeTempDir } from '../support/tmp.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('secret-file');
});
afterAll(async () => {
  await temp?.remove();
});

let counter = 0;
async function secretFile(initial: string) {
  const path = join(temp.dir, `secret-${(counter += 1)}`);
  await writeFile(path, `${initial}\n`);
  const log = captureLog();
  let now = 0;
  const secret = new SecretFile({ setting: 'ICECAST_SOURCE_PASSWORD', path, initial, logger: createLogger({ destination: log }), now: () => now, checkEveryMs: 1_000 });
  return { path, log, secret, advance: (ms: number) => (now += ms) };
}

describe('SecretFile: a secret read from a file that may change', () => {
  it('gives the new value once the file was rewritten, trimmed, and logs the change without the value', async () => {
    const { path, log, secret, advance } = await secretFile('old-password');
    expect(await secret.refresh()).toBe('old-password');
    await writeFile(path, 'new-password\n');
    advance(1_000);
    expect(await secret.refresh()).toBe('new-password');
    expect(secret.current()).toBe('new-password');
    expect(log.lines.map((line) => line.msg)).toContain('the secret file changed: using its new value from now on');
    expect(log.raw.join('')).not.toContain('new-password');
  });

  it('sees a file replaced by rename (how an atomic rewrite looks)', async () => {
    const { path, secret, advance } = await secretFile('old-password');
    await secret.refresh();
    await writeFile(`${path}.tmp`, 'renamed-password');
    await rename(`${path}.tmp`, path);
    advance(1_000);
    expect(await secret.refresh()).toBe('renamed-password');
  });

  it('looks at the file at most once per checkEveryMs, unless forced', async () => {
    const { path, secret, advance } = await secretFile('old-password');
    await secret.refresh();
    await writeFile(path, 'new-password');
    advance(999);
    expect(await secret.refresh()).toBe('old-password');
    expect(await secret.refresh({ force: true })).toBe('new-password');
  });

  it('keeps the last good value when the file goes missing or empty, warning once, and takes the next good one', async () => {
    const { path, log, secret, advance } = await secretFile('good-password');
    await rm(path);
    for (let look = 0; look < 3; look += 1) {
      advance(1_000);
      expect(await secret.refresh()).toBe('good-password');
    }
    await writeFile(path, '  \n');
    advance(1_000);
    expect(await secret.refresh()).toBe('good-password');
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ setting: 'ICECAST_SOURCE_PASSWORD', file: path, code: 'ENOENT' });
    expect(String(warnings[0]!.msg)).toMatch(/keeping the value read before; check ICECAST_SOURCE_PASSWORD_FILE$/);

    await writeFile(path, 'next-password');
    advance(1_000);
    expect(await secret.refresh()).toBe('next-password');
    await writeFile(path, '');
    advance(1_000);
    expect(await secret.refresh()).toBe('next-password');
    expect(log.lines.filter((line) => line.level === 'warn')).toHaveLength(2);
  });

  it('keeps the last good value when the file becomes unreadable', async () => {
    const { path, secret, advance } = await secretFile('good-password');
    // A folder where the file was: unreadable as a file even for root (a chmod 000 file is not, and CI runs as root).
    await rm(path);
    await mkdir(path);
    advance(1_000);
    expect(await secret.refresh()).toBe('good-password');
  });

  it('callers at the same moment share one look', async () => {
    const { path, secret } = await secretFile('old-password');
    await writeFile(path, 'new-password');
    const values = await Promise.all([secret.refresh(), secret.refresh(), secret.refresh({ force: true })]);
    expect(values).toEqual(['new-password', 'new-password', 'new-password']);
  });
});

describe('secretOf', () => {
  it('is fixed without a file: a value given directly never changes', async () => {
    const secret = secretOf({ setting: 'RELAY_TOKEN', value: 'direct-token', file: undefined, logger: createLogger({ destination: captureLog() }) });
    expect(await secret.refresh({ force: true })).toBe('direct-token');
    expect(fixedSecret('x').current()).toBe('x');
  });
});
