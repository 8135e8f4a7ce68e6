import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.js';
import { openDownloadArea } from '../../../src/worker/download-area.js';
import { captureLog } from '../../support/icecast.js';
import { makeTempDir } from '../../support/tmp.js';

let temp: { dir: string; remove: () => Promise<void> };
const savedTmpdir = process.env.TMPDIR;

beforeEach(async () => {
  temp = await makeTempDir('download-area');
});

afterEach(async () => {
  // os.tmpdir() reads TMPDIR on every call: the tests point it at folders that cannot be used.
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await temp.remove();
});

/** A path below a plain file: every file-system call there fails with ENOTDIR. */
async function blockedPath(name: string): Promise<string> {
  await writeFile(join(temp.dir, name), 'not a folder');
  return join(temp.dir, name, 'inside');
}

describe('openDownloadArea', () => {
  it('uses CACHE_DIR/downloads when it takes files, and keeps it on remove', async () => {
    const log = captureLog();
    const area = await openDownloadArea(temp.dir, createLogger({ destination: log }));
    expect(area.dir).toBe(join(temp.dir, 'downloads'));
    await area.remove();
    expect((await stat(area.dir!)).isDirectory()).toBe(true);
    expect(log.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('falls back to a temp folder, with one warning naming the condition, and removes it on remove', async () => {
    const log = captureLog();
    const area = await openDownloadArea(await blockedPath('cache'), createLogger({ destination: log }));
    expect(area.dir).toMatch(/relaycast-downloads-/);
    expect((await stat(area.dir!)).isDirectory()).toBe(true);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.condition)).toEqual(['ENOTDIR']);
    await area.remove();
    await expect(stat(area.dir!)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports no folder when the temp area cannot be used either, with one warning for each', async () => {
    process.env.TMPDIR = await blockedPath('tmp');
    const log = captureLog();
    const area = await openDownloadArea(await blockedPath('cache'), createLogger({ destination: log }));
    expect(area.dir).toBeUndefined();
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.msg)).toEqual([
      'cannot keep downloads in the cache folder: using a temp folder instead',
      'no folder takes downloads: ffmpeg reads song URLs directly',
    ]);
  });
});
