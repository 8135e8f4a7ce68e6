import { spawn, spawnSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICECAST_RUN_SCRIPT, startIcecast, type IcecastServer } from '../support/icecast.js';
import { isAlive } from '../support/worker-process.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

/** deploy/icecast/icecast-run, the compose file's Icecast command, with a real icecast2. */

const RELOAD_LINE = 'Caught config reload request';
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('icecast-run', () => {
  let icecast: IcecastServer;

  beforeAll(async () => {
    requirePrograms('icecast2', 'setpriv');
    icecast = await startIcecast({ viaIcecastRun: true });
  });

  afterAll(async () => {
    await icecast?.stop();
  });

  it('sends Icecast SIGHUP within ~1 s of its file changing, once per change, and not when nothing changed', async () => {
    const reloads = async () => (await icecast.errorLog()).split(RELOAD_LINE).length - 1;
    await delay(2_500);
    expect(await reloads()).toBe(0);
    const text = await readFile(icecast.configPath, 'utf8');
    // Replaced in one step, as the writer does (a temp file renamed over it).
    await writeFile(`${icecast.configPath}.tmp`, `${text}\n<!-- changed -->\n`);
    await rename(`${icecast.configPath}.tmp`, icecast.configPath);
    const changed = performance.now();
    for (let i = 0; i < 100 && (await reloads()) === 0; i += 1) await delay(50);
    const tookMs = performance.now() - changed;
    expect(await reloads()).toBe(1);
    console.info(`icecast-run: file changed → Icecast re-reading its config ${Math.round(tookMs)} ms`);
    await delay(2_500);
    expect(await reloads()).toBe(1);
  });

  it('passes SIGTERM on to Icecast and ends when it has ended', async () => {
    const pidsBefore = icecastPids(icecast.configPath);
    expect(pidsBefore.length).toBeGreaterThan(0);
    const started = performance.now();
    await icecast.kill('SIGTERM');
    const tookMs = performance.now() - started;
    // The script ended, and its Icecast with it (not killed by a parent-death signal: SIGTERM went on).
    expect(tookMs).toBeLessThan(3_000);
    expect(pidsBefore.filter((pid) => isAlive(pid))).toEqual([]);
    await icecast.start();
  });

  it('waits for a file that is not there yet, and gives up with one line after ICECAST_RUN_WAIT_SEC', async () => {
    const temp = await makeTempDir('icecast-run');
    try {
      const missing = join(temp.dir, 'icecast.xml');
      const child = spawn('sh', [ICECAST_RUN_SCRIPT, missing], { env: { PATH: process.env.PATH ?? '', ICECAST_RUN_WAIT_SEC: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`icecast-run: ${missing} did not appear within 1 s: is relaycast icecast-config running?`]);
    } finally {
      await temp.remove();
    }
  });
});

/** The icecast2 processes running on `configPath` (the script's child, not the script). */
function icecastPids(configPath: string): number[] {
  const found = spawnSync('pgrep', ['-f', `icecast2 -c ${configPath}`], { encoding: 'utf8' });
  return found.stdout.split('\n').map(Number).filter((pid) => pid > 0);
}
