import { readdirSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createStore } from '../src/store/index.js';
import { startRedis } from '../test/support/redis.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, waitForMounts, type BenchContext } from './harness.js';
import { childPids, rssMb } from './proc-stats.js';
import { sleep } from './scope.js';
import { linearFit, max } from './stats.js';
import { spawnBenchWorker } from './worker.js';

const NAME = 'long-rss';
const MOUNT = '/long.mp3';
const RUN_MINUTES = 60;
const SAMPLE_EVERY_SECONDS = 10;
/** Judged from here on: before it, a worker's malloc arenas grow to their working size (+10 MB, then flat). */
const WARM_UP_MINUTES = 10;
/** |slope| after warm-up, in MB per 10 minutes. */
const SLOPE_LIMIT_MB_PER_10_MIN = 1;
/** The playlist holds this many songs; each minute the oldest goes and a new one (never played) comes. */
const PLAYLIST_LENGTH = 8;
/** Songs made for the run: the first playlist, then one new song per minute. */
const SONG_COUNT = PLAYLIST_LENGTH + RUN_MINUTES;

interface Sample {
  /** Minutes since the worker started. */
  readonly minute: number;
  readonly rssMb: number;
  readonly fds: number;
  readonly children: number;
}

/**
 * Issue 16, item 6 (`--long`). One station from Redis on the cold path for an hour: every minute an admin
 * skips the song and edits the playlist (the oldest song out, a song never played before in, so a song is
 * transcoded into the cache every minute). The worker's RSS, open files and child processes are sampled every
 * 10 s; RSS is judged flat after the warm-up by its least-squares slope.
 */
export async function measureLongRss(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const music = join(context.dir, 'long-music');
  const songs = await makeSongs(context, music);
  const icecast = await benchIcecast(scope);
  const redis = await startRedis();
  scope.add('redis-server', () => redis.stop());
  const client = redis.client();
  const store = createStore(client);
  const refOf = (index: number) => `local:${songs[index]!.file}`;
  await store.playlists.create('long');
  await store.playlists.add('long', Array.from({ length: PLAYLIST_LENGTH }, (_, index) => refOf(index)));
  await store.stations.create('long', { mount: MOUNT, playlist: 'long' });
  const worker = await spawnBenchWorker({
    icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
    redis: { url: redis.url },
    musicDir: music,
    cacheDir: join(context.dir, `long-cache-${Date.now()}`),
    logLevel: 'info',
  });
  scope.add(`worker ${worker.child.pid ?? '?'}`, () => worker.stop());
  await waitForMounts(icecast, [MOUNT], 10_000, scope.signal);
  const pid = worker.child.pid ?? -1;

  context.say(`${NAME}: ${RUN_MINUTES} minutes, a skip and a playlist edit every minute, samples every ${SAMPLE_EVERY_SECONDS} s`);
  const samples: Sample[] = [];
  const startedAt = performance.now();
  const steps = (RUN_MINUTES * 60) / SAMPLE_EVERY_SECONDS;
  for (let step = 0; step <= steps; step += 1) {
    await sleep(Math.max(0, startedAt + step * SAMPLE_EVERY_SECONDS * 1000 - performance.now()), scope.signal);
    const minute = (step * SAMPLE_EVERY_SECONDS) / 60;
    samples.push(sampleOf(pid, minute));
    if (step > 0 && (step * SAMPLE_EVERY_SECONDS) % 60 === 0) {
      await store.stations.skip('long');
      await store.playlists.delete('long', [1]);
      await store.playlists.add('long', [refOf(PLAYLIST_LENGTH + minute - 1)]);
      if (minute % 10 === 0) context.say(`${NAME}: minute ${minute}, RSS ${samples.at(-1)!.rssMb.toFixed(1)} MB`);
    }
  }
  client.disconnect();

  const slope = (from: number, to: number) => linearFit(samples.filter((s) => s.minute >= from && s.minute <= to).map((s) => ({ x: s.minute / 10, y: s.rssMb })))?.slope;
  const judged = slope(WARM_UP_MINUTES, RUN_MINUTES);
  const first = slope(0, 10);
  const last = slope(RUN_MINUTES - 10, RUN_MINUTES);
  const afterWarmUp = samples.filter((s) => s.minute >= WARM_UP_MINUTES);
  const started = worker.events.filter((event) => event.msg === 'now playing').length;
  const skipped = worker.events.filter((event) => event.msg === 'skipping the current song').length;
  const describe = (key: 'fds' | 'children') => `at ${WARM_UP_MINUTES} min ${afterWarmUp[0]?.[key]}, at the end ${samples.at(-1)?.[key]}, max after warm-up ${max(afterWarmUp.map((s) => s[key]))}`;
  return [
    atMost(
      NAME,
      {
        name: `worker RSS slope, minutes ${WARM_UP_MINUTES}-${RUN_MINUTES} (least squares), |MB per 10 min|`,
        value: judged === undefined ? undefined : Math.abs(judged),
        unit: 'MB',
        digits: 2,
        note: `signed ${judged?.toFixed(2)}; first 10 min ${first?.toFixed(2)}, last 10 min ${last?.toFixed(2)} MB per 10 min; ${samples.length} samples; ${started} songs started, ${skipped} skips, ${RUN_MINUTES} playlist edits`,
      },
      SLOPE_LIMIT_MB_PER_10_MIN,
    ),
    info(NAME, { name: 'worker RSS: at mount up → max → last sample', value: samples.at(-1)?.rssMb, unit: 'MB', digits: 1, note: `from ${samples[0]?.rssMb.toFixed(1)} MB, max ${max(samples.map((s) => s.rssMb))?.toFixed(1)} MB` }, 'Liquidsoap: 188 MB'),
    info(NAME, { name: 'worker open file descriptors after warm-up (last sample)', value: samples.at(-1)?.fds, unit: '', digits: 0, note: describe('fds') }),
    info(NAME, { name: 'worker child processes after warm-up (last sample)', value: samples.at(-1)?.children, unit: '', digits: 0, note: describe('children') }),
  ];
}

function sampleOf(pid: number, minute: number): Sample {
  const rss = rssMb(pid);
  if (rss === undefined) throw new Error(`worker ${pid} exited during the measurement`);
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // Gone between the two reads: the RSS read above already caught a worker that exited.
  }
  return { minute, rssMb: rss, fds, children: childPids(pid).length };
}

/** SONG_COUNT distinct tones of 20-40 s in `dir` (made once per run, shared through the context). */
async function makeSongs(context: BenchContext, dir: string): Promise<{ file: string }[]> {
  const made = await Promise.all(
    Array.from({ length: SONG_COUNT }, (_, index) => context.tone({ seconds: 20 + (index % 5) * 5, frequency: 200 + 13 * index, title: `Long ${index + 1}` })),
  );
  // local: refs name files in the worker's music folder: the tones are copied into it.
  await mkdir(dir, { recursive: true });
  return Promise.all(
    made.map(async (path, index) => {
      const file = `song-${String(index + 1).padStart(3, '0')}.m4a`;
      await copyFile(path, join(dir, file));
      return { file };
    }),
  );
}
