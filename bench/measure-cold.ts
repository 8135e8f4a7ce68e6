import { join } from 'node:path';
import { DEFAULT_STREAM_FORMAT } from '../src/audio/index.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchListener, benchWorker, waitForMounts, type BenchContext } from './harness.js';
import { timedTranscode } from './measure-transcode.js';
import { measureRssFloor } from './rss-floor.js';
import { childPids, cpuBetween, programOf, pssMb, rssMb, snapshot, type CpuSnapshot } from './proc-stats.js';
import { sleep } from './scope.js';
import { chunkGapsMs, max } from './stats.js';

const NAME = 'cold';
const MOUNT = '/cold.mp3';
/** Nine distinct songs of 33 s: every one is new to the fresh cache and all nine start within the window. */
const SONGS = Array.from({ length: 9 }, (_, index) => ({ seconds: 33, frequency: 300 + 55 * index }));
const COLD_SECONDS = 300;
/** Then the list starts over, every song cached: the station's own pacing cost, measured in the same run. */
const WARM_SECONDS = 60;
const SAMPLE_EVERY_MS = 1_000;
/** How often the tree is looked at while the worker has a child; SAMPLE_EVERY_MS must be a multiple of it. */
const CLOSE_LOOK_MS = 50;
const TREE_RSS_LIMIT_MB = 110;
/** Process-tree CPU may be this many times ffmpeg's own cost of the same audio, plus the pacing figure. */
const CPU_FACTOR = 1.3;

interface TreeSamples {
  readonly rssMaxMb: number;
  readonly pssMaxMb: number;
  /** How many times the tree's memory was read. */
  readonly looks: number;
  /** ffmpegs alive, once every SAMPLE_EVERY_MS. */
  readonly ffmpegCounts: readonly number[];
}

/**
 * Issue 16, item 3. One station whose every song is new (fresh cache): each song is transcoded at full speed
 * into the cache and played from the file as it is written. Over 5 minutes: the process tree's CPU (worker
 * and every ffmpeg/ffprobe) from the moment its mount is up, its RSS and PSS (looked at closely while an
 * ffmpeg runs), and how many ffmpegs are alive. The references come from the same run: ffmpeg alone on the
 * same nine files (bash `time`), and the same worker's CPU once the list starts over from the cache.
 */
export async function measureCold(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const songs = await Promise.all(SONGS.map((song, index) => context.tone({ ...song, title: `Cold ${index + 1}` })));
  const icecast = await benchIcecast(scope);
  const cacheDir = join(context.dir, `cold-cache-${Date.now()}`);
  const worker = await benchWorker(scope, icecast, [{ name: 'cold', mount: MOUNT, songs }], { cacheDir });
  const pid = worker.child.pid ?? -1;
  const spawned = snapshot(pid);
  await waitForMounts(icecast, [MOUNT], 10_000, scope.signal);
  const start = coldWindowStart(pid);
  const listener = await benchListener(scope, `${icecast.url}${MOUNT}`);
  context.say(`${NAME}: ${COLD_SECONDS / 60} minutes of new songs`);
  const samples = await sampleTree(pid, COLD_SECONDS, scope.signal);
  const coldEnd = snapshot(pid);
  const heardFrom = listener.chunks[0]?.at ?? performance.now();
  const gaps = chunkGapsMs(listener.chunks, heardFrom + 2_000, performance.now());
  context.say(`${NAME}: ${WARM_SECONDS} s more with every song cached`);
  await sleep(WARM_SECONDS * 1000, scope.signal);
  const warmEnd = snapshot(pid);
  if (!spawned || !start || !coldEnd || !warmEnd) throw new Error('the worker exited during the measurement');
  const startUpCpuSec = start.times.self - spawned.times.self;
  const cold = cpuBetween(start, coldEnd);
  const warm = cpuBetween(coldEnd, warmEnd);

  context.say(`${NAME}: ffmpeg alone on the same ${songs.length} files`);
  let aloneCpuSec = 0;
  for (const song of songs) aloneCpuSec += (await timedTranscode(song, DEFAULT_STREAM_FORMAT, join(context.dir, 'cold-out.mp3'))).cpuSec;
  const alonePercent = (100 * aloneCpuSec) / cold.seconds;
  const floor = await measureRssFloor(scope, songs[0]!, DEFAULT_STREAM_FORMAT);
  const treePercent = cold.selfPercent + cold.childrenPercent;
  const pacingPercent = warm.selfPercent + warm.childrenPercent;
  const { ffmpegCounts } = samples;
  const songsStarted = worker.events.filter((event) => event.msg === 'now playing').length;
  return [
    atMost(
      NAME,
      {
        name: `process tree CPU, ${songs.length} new songs over ${COLD_SECONDS / 60} min (% of one core)`,
        value: treePercent,
        unit: '%',
        digits: 2,
        note: `worker ${cold.selfPercent.toFixed(2)} %, ffmpeg/ffprobe ${cold.childrenPercent.toFixed(2)} %; limit = ${CPU_FACTOR} × ffmpeg alone ${alonePercent.toFixed(2)} % (${aloneCpuSec.toFixed(2)} CPU-s for the ${songs.length} files) + pacing ${pacingPercent.toFixed(2)} %; ${songsStarted} songs started`,
      },
      CPU_FACTOR * alonePercent + pacingPercent,
    ),
    info(NAME, { name: 'same worker once every song is cached (pacing alone, % of one core)', value: pacingPercent, unit: '%', digits: 3, note: `over ${WARM_SECONDS} s` }),
    info(NAME, {
      name: "worker's own start-up, spawn to mount up (CPU-s, outside the 5 minutes)",
      value: startUpCpuSec,
      unit: 's',
      digits: 2,
      note: `would add ${((100 * startUpCpuSec) / cold.seconds).toFixed(2)} % to the tree's figure; start-up has its own rows (--only startup)`,
    }),
    atMost(NAME, { name: 'process tree RSS, max (worker + ffmpegs alive)', value: samples.rssMaxMb, unit: 'MB', digits: 1, note: `${samples.looks} looks: every ${CLOSE_LOOK_MS} ms while a child is alive, every ${SAMPLE_EVERY_MS / 1000} s otherwise` }, TREE_RSS_LIMIT_MB),
    info(NAME, {
      name: 'tree RSS floor on this machine: empty Node + one ffmpeg running this transcode',
      value: floor.emptyNodeMb + floor.ffmpegMb,
      unit: 'MB',
      digits: 1,
      note: `empty Node ${floor.emptyNodeMb.toFixed(1)} MB + ffmpeg ${floor.ffmpegMb.toFixed(1)} MB, same run: the 110 MB target leaves ${(TREE_RSS_LIMIT_MB - floor.emptyNodeMb - floor.ffmpegMb).toFixed(1)} MB for everything a worker holds beyond an empty Node`,
    }),
    info(NAME, { name: 'process tree PSS, max (shared pages counted once)', value: samples.pssMaxMb, unit: 'MB', digits: 1 }),
    info(NAME, {
      name: 'ffmpeg processes alive: max / mean',
      value: max(ffmpegCounts),
      unit: '',
      digits: 0,
      note: `mean ${(ffmpegCounts.reduce((sum, count) => sum + count, 0) / Math.max(1, ffmpegCounts.length)).toFixed(3)}; alive in ${ffmpegCounts.filter((count) => count > 0).length} of ${ffmpegCounts.length} samples`,
    }),
    info(NAME, { name: 'listener: longest gap between chunks', value: max(gaps) ?? undefined, unit: 'ms', digits: 0, note: listener.disconnected ? `dropped: ${listener.disconnected.reason}` : 'connected throughout' }),
  ];
}

/**
 * The cold window opens when the mount is up: the worker's start-up (Node, its modules, its config) is not
 * the cold path, and is printed on its own. Every transcode counts whole: an ffmpeg already running counts
 * from its start (its CPU before the window is not subtracted), and one that ended before the window would
 * be missing from it, so it fails the run instead.
 */
function coldWindowStart(pid: number): CpuSnapshot | undefined {
  const start = snapshot(pid);
  if (start && start.times.reapedChildren > 0) throw new Error('a transcode ended before the mount was up: the cold window would miss it');
  return start && { ...start, children: new Map() };
}

/**
 * The tree's RSS and PSS, and its ffmpegs alive. An ffmpeg now lives about half a second per song, so a
 * once-a-second look sees few of them, and those at any point of their life (a young one has not loaded its
 * libraries yet): the largest sum would depend on luck. So the tree is looked at every CLOSE_LOOK_MS while
 * the worker has a child, and every SAMPLE_EVERY_MS otherwise; the count of ffmpegs alive is taken once a
 * second (its mean is the share of time one runs).
 */
async function sampleTree(pid: number, seconds: number, signal: AbortSignal): Promise<TreeSamples> {
  const counts: number[] = [];
  let rssMaxMb = 0;
  let pssMaxMb = 0;
  let looks = 0;
  const startedAt = performance.now();
  const steps = Math.round((seconds * 1000) / CLOSE_LOOK_MS);
  for (let step = 1; step <= steps; step += 1) {
    await sleep(Math.max(0, startedAt + step * CLOSE_LOOK_MS - performance.now()), signal);
    const children = childPids(pid);
    const onTheSecond = step % (SAMPLE_EVERY_MS / CLOSE_LOOK_MS) === 0;
    if (onTheSecond) counts.push(children.filter((child) => programOf(child) === 'ffmpeg').length);
    if (children.length === 0 && !onTheSecond) continue;
    const workerRssMb = rssMb(pid);
    if (workerRssMb === undefined) throw new Error(`worker ${pid} exited during the measurement`);
    rssMaxMb = Math.max(rssMaxMb, children.reduce((sum, child) => sum + (rssMb(child) ?? 0), workerRssMb));
    pssMaxMb = Math.max(pssMaxMb, [pid, ...children].reduce((sum, member) => sum + (pssMb(member) ?? 0), 0));
    looks += 1;
  }
  return { rssMaxMb, pssMaxMb, looks, ffmpegCounts: counts };
}
