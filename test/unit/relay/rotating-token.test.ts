import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretFile } from '../../../src/secret-file.js';
import { createLogger } from '../../../src/log/index.js';
import { RotatingToken } from '../../../src/relay/http/rotating-token.js';
import { captureLog } from '../../support/icecast.js';
import { makeTempDir } from '../../support/tmp.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('rotating-token');
});
afterAll(async () => {
  await temp?.remove();
});

describe('RotatingToken', () => {
  it('accepts the new token at once and the previous one only within the grace period after the change', async () => {
    const path = join(temp.dir, 'relay-token');
    await writeFile(path, 'old-token-0123456789\n');
    let now = 1_000_000;
    const logger = createLogger({ destination: captureLog() });
    const secret = new SecretFile({ setting: 'RELAY_TOKEN', path, initial: 'old-token-0123456789', logger, now: () => now, checkEveryMs: 0 });
    const tokens = new RotatingToken({ secret, graceMs: 60_000, now: () => now, logger });

    expect(await tokens.accepted()).toEqual(['old-token-0123456789']);
    await writeFile(path, 'new-token-0123456789\n');
    now += 10;
    expect(await tokens.accepted()).toEqual(['new-token-0123456789', 'old-token-0123456789']);
    now += 59_000;
    expect(await tokens.accepted()).toEqual(['new-token-0123456789', 'old-token-0123456789']);
    now += 1_000;
    expect(await tokens.accepted()).toEqual(['new-token-0123456789']);
  });

  it('a second rotation within the grace period leaves only the one just replaced acceptable besides the new one', async () => {
    const path = join(temp.dir, 'relay-token-2');
    await writeFile(path, 'first-token-0123456789');
    let now = 0;
    const logger = createLogger({ destination: captureLog() });
    const secret = new SecretFile({ setting: 'RELAY_TOKEN', path, initial: 'first-token-0123456789', logger, now: () => now, checkEveryMs: 0 });
    const tokens = new RotatingToken({ secret, graceMs: 60_000, now: () => now, logger });
    await writeFile(path, 'second-token-0123456789');
    now += 10;
    await tokens.accepted();
    await writeFile(path, 'third-token-0123456789-');
    now += 10;
    expect(await tokens.accepted()).toEqual(['third-token-0123456789-', 'second-token-0123456789']);
  });
});
