import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { closeRedis, connectRedis, createStore } from '../src/store/index.js';
import { startRedis } from '../test/support/redis.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, type BenchContext } from './harness.js';
import { trackChild } from './scope.js';
import { median } from './stats.js';
import { BUILT_CLI_PATH } from './worker.js';

const NAME = 'cli';
/** Runs of each command; the figure is the median. Interleaved, so a busy moment of the VM hits them alike. */
const RUNS = 9;
/** Wait4's rusage of the child: its peak RSS (%M, KiB), printed after it exits. */
const TIME_PROGRAM = '/usr/bin/time';
const RUSAGE_PREFIX = 'bench-rusage-maxrss-kb ';
const RUN_TIMEOUT_MS = 15_000;

/** Issue 16 item 5: what an admin scripting `relaycast` in a loop feels. */
const VERSION_LIMIT_S = 0.15;
const VERSION_RSS_LIMIT_MB = 50;
const NOW_LIMIT_S = 0.25;

interface Sample {
  readonly wallSec: number;
  readonly peakRssMb: number;
}

interface Case {
  /** How the table names it. */
  readonly label: string;
  /** Node's arguments. */
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
}

/**
 * `relaycast --version`, `relaycast now --help` and `relaycast now` against a real redis-server (one station,
 * Icecast answering for the listener counts): wall time from spawn to exit and peak RSS, each beside an
 * empty `node -e ''` measured in the same rounds, as ratios (this VM's start-up times vary with its load).
 */
export async function measureCli(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  if (!existsSync(TIME_PROGRAM)) throw new Error(`${TIME_PROGRAM} is missing (Debian package time): it reports each command's peak RSS`);
  const redis = await startRedis();
  scope.add('redis-server', () => redis.stop());
  const icecast = await benchIcecast(scope);
  await seedStation(redis.url);

  const node: Case = { label: "`node -e ''` (reference: an empty Node process)", args: ['-e', ''] };
  const version: Case = { label: '`relaycast --version`', args: [BUILT_CLI_PATH, '--version'] };
  const help: Case = { label: '`relaycast now --help`', args: [BUILT_CLI_PATH, 'now', '--help'] };
  const now: Case = {
    label: '`relaycast now` (local redis-server, 1 station, Icecast answering)',
    args: [BUILT_CLI_PATH, 'now'],
    env: { REDIS_URL: redis.url, ICECAST_URL: icecast.url },
  };
  const cases = [node, version, help, now];
  const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
  context.say(`${NAME}: ${RUNS} rounds of ${cases.map((c) => c.label).join(', ')}`);
  for (let round = 0; round < RUNS; round += 1) {
    for (const c of cases) samples.get(c)!.push(await timed(c));
  }

  const wall = (c: Case) => median(samples.get(c)!.map((s) => s.wallSec));
  const rss = (c: Case) => median(samples.get(c)!.map((s) => s.peakRssMb));
  const runs = (c: Case) => `runs: ${samples.get(c)!.map((s) => s.wallSec.toFixed(3)).join(', ')} s`;
  const ratio = (value: number | undefined, reference: number | undefined) => (value === undefined || !reference ? '–' : (value / reference).toFixed(2));
  const wallFigure = (c: Case, limit: number) =>
    atMost(
      NAME,
      { name: `${c.label}: wall time, spawn → exit (median of ${RUNS})`, value: wall(c), unit: 's', digits: 3, note: `${ratio(wall(c), wall(node))} × node -e ''; ${runs(c)}` },
      limit,
    );
  const rssSpec = (c: Case) => ({ name: `${c.label}: peak RSS (median of ${RUNS})`, value: rss(c), unit: 'MB', digits: 1, note: `${ratio(rss(c), rss(node))} × node -e ''` });

  return [
    info(NAME, { name: `${node.label}: wall time (median of ${RUNS})`, value: wall(node), unit: 's', digits: 3, note: runs(node) }),
    info(NAME, { name: `${node.label}: peak RSS (median of ${RUNS})`, value: rss(node), unit: 'MB', digits: 1 }),
    wallFigure(version, VERSION_LIMIT_S),
    atMost(NAME, rssSpec(version), VERSION_RSS_LIMIT_MB),
    wallFigure(help, VERSION_LIMIT_S),
    atMost(NAME, rssSpec(help), VERSION_RSS_LIMIT_MB),
    wallFigure(now, NOW_LIMIT_S),
    info(NAME, rssSpec(now)),
  ];
}

/** One station with a playlist and cached song metadata: `now` reads it all and asks Icecast for listeners. */
async function seedStation(redisUrl: string): Promise<void> {
  const client = await connectRedis(redisUrl);
  try {
    const store = createStore(client);
    await store.playlists.create('evening');
    await store.playlists.add('evening', ['netease:186016', 'netease:186017']);
    await store.caches.putSongMeta('netease:186016', { title: 'So What', artist: 'Miles Davis', durationMs: 562_000 });
    await store.stations.create('jazz', { mount: '/jazz.mp3', playlist: 'evening' });
  } finally {
    await closeRedis(client);
  }
}

/** `node <args>` under /usr/bin/time: wall time measured here, peak RSS from the child's rusage. */
function timed({ label, args, env }: Case): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = trackChild(
      spawn(TIME_PROGRAM, ['-f', `${RUSAGE_PREFIX}%M`, process.execPath, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallSec = (performance.now() - started) / 1000;
      const peak = new RegExp(`${RUSAGE_PREFIX}(\\d+)`).exec(stderr);
      if (code !== 0 || !peak) reject(new Error(`${label} exited with ${code}: ${stderr.trim().slice(-300)}`));
      else resolve({ wallSec, peakRssMb: Number(peak[1]) / 1024 });
    });
  });
}
