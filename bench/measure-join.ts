import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchWorker, waitForMounts, type BenchContext } from './harness.js';
import { sleep, trackChild, type Scope } from './scope.js';
import { max, median } from './stats.js';

const NAME = 'join';
const MOUNT = '/join.mp3';
const JOINS = 5;
/**
 * How long the mount runs before the first join: Icecast's burst for a new listener comes from its queue,
 * so a mount younger than burst-size (192 KiB ≈ 12.3 s at 128 kb/s) gives a smaller burst than a running one.
 */
const RUNNING_FOR_MS = 14_000;
const BETWEEN_JOINS_MS = 1_000;
const JOIN_TIMEOUT_MS = 15_000;

/**
 * 8. A new listener on a running mount: ffmpeg as the player, from its spawn to its first decoded audio.
 * ffmpeg decodes to raw PCM on stdout with `-flush_packets 1`, so the first stdout byte is the first
 * decoded frame leaving the decoder (no 32 KiB output buffer in between). ffmpeg's own start-up (~50 ms)
 * is included, as it is for a player.
 */
export async function measureJoin(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = await context.tone({ seconds: 150, frequency: 440, title: 'Pacing' });
  const icecast = await benchIcecast(scope);
  await benchWorker(scope, icecast, [{ name: 'join', mount: MOUNT, songs: [song] }]);
  await waitForMounts(icecast, [MOUNT], 10_000, scope.signal);
  context.say(`${NAME}: mount running for ${RUNNING_FOR_MS / 1000} s, then ${JOINS} joins`);
  await sleep(RUNNING_FOR_MS, scope.signal);

  const joins: number[] = [];
  for (let join = 1; join <= JOINS; join += 1) {
    joins.push(await timeToFirstDecodedAudio(scope, `${icecast.url}${MOUNT}`));
    await sleep(BETWEEN_JOINS_MS, scope.signal);
  }
  const list = `runs: ${joins.map((ms) => (ms / 1000).toFixed(3)).join(', ')} s`;
  const seconds = (value: number | undefined) => (value === undefined ? undefined : value / 1000);
  const burst = /<burst-size>(\d+)<\/burst-size>/.exec(await readFile(icecast.configPath, 'utf8'));
  return [
    atMost(NAME, { name: `new listener (ffmpeg) on a running mount → first decoded audio (median of ${JOINS})`, value: seconds(median(joins)), unit: 's', digits: 3, note: list }, 1.5),
    atMost(NAME, { name: `new listener (ffmpeg) on a running mount → first decoded audio (worst of ${JOINS})`, value: seconds(max(joins)), unit: 's', digits: 3 }, 1.5),
    info(NAME, { name: '  (icecast.xml burst-size)', value: burst ? Number(burst[1]) / 1024 : undefined, unit: 'KiB', digits: 0 }, 'default 64 KiB: ~4.5 s (reference)'),
  ];
}

/** Milliseconds from spawning an ffmpeg listener to its first decoded PCM byte; the ffmpeg is then stopped. */
function timeToFirstDecodedAudio(scope: Scope, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = trackChild(
      spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-f', 's16le', '-flush_packets', '1', 'pipe:1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    scope.add(`ffmpeg listener ${child.pid ?? '?'}`, () => child.kill('SIGKILL'));
    let stderr = '';
    let settled = false;
    const finish = (error: Error | undefined, ms?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(ms ?? 0);
    };
    const timer = setTimeout(() => finish(new Error(`ffmpeg listener decoded nothing within ${JOIN_TIMEOUT_MS} ms: ${stderr.slice(-300)}`)), JOIN_TIMEOUT_MS);
    child.stdout?.once('data', () => finish(undefined, performance.now() - startedAt));
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', (error) => finish(error));
    child.on('exit', (code) => finish(new Error(`ffmpeg listener exited (${String(code)}) before decoding: ${stderr.slice(-300)}`)));
  });
}
