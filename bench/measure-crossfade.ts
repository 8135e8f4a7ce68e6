import { spawnSync } from 'node:child_process';
import { DEFAULT_STREAM_FORMAT, transcode, type Mp3Frame } from '../src/audio/index.js';
import { buildCrossfade } from '../src/audio/crossfade.js';
import { crossfadeFrames } from '../src/audio/crossfade-mix.js';
import { silentLogger } from '../src/log/index.js';
import { atMost, info, type Figure } from './figure.js';
import type { BenchContext } from './harness.js';
import { cpuTimes } from './proc-stats.js';
import { max, median } from './stats.js';

const NAME = 'crossfade';
const JOINS = 10;
const CROSSFADE_SECONDS = 4;
/** Issue 18: a join costs at most this much CPU (decode, mix, encode) at 128 kb/s. */
const CPU_PER_JOIN_LIMIT_SEC = 0.5;

/**
 * Issue 18, item 4: the CPU one crossfade costs, as a station makes it: both sides decoded by one ffmpeg,
 * the overlap mixed in the worker, the segment encoded by another ffmpeg. Measured in this process (its own
 * CPU and its ffmpeg children's, reaped), join after join, on songs transcoded as the worker does.
 */
export async function measureCrossfade(context: BenchContext): Promise<Figure[]> {
  const songs = await Promise.all([440, 660].map((frequency) => context.tone({ seconds: 30, frequency, title: `Crossfade ${frequency}` })));
  const [a, b] = await Promise.all(songs.map(framesOf));
  const needs = crossfadeFrames(CROSSFADE_SECONDS, DEFAULT_STREAM_FORMAT.sampleRate);
  const tail = a!.slice(-needs.tail);
  const head = b!.slice(0, needs.head);
  context.say(`${NAME}: ${JOINS} joins of ${CROSSFADE_SECONDS} s`);
  const cpu: number[] = [];
  const ffmpegCpu: number[] = [];
  const wall: number[] = [];
  for (let join = 0; join < JOINS; join += 1) {
    const before = cpuTimes(process.pid);
    const startedAt = performance.now();
    const made = await buildCrossfade(tail, head, DEFAULT_STREAM_FORMAT, CROSSFADE_SECONDS, { signal: context.scope.signal });
    const after = cpuTimes(process.pid);
    if (!made || !before || !after) throw new Error('the crossfade was not made');
    wall.push(performance.now() - startedAt);
    cpu.push(after.self + after.reapedChildren - before.self - before.reapedChildren);
    ffmpegCpu.push(after.reapedChildren - before.reapedChildren);
  }
  const startup = ffmpegStartupCpu();
  return [
    atMost(NAME, { name: `CPU per join, ${CROSSFADE_SECONDS} s crossfade at 128 kb/s (median of ${JOINS}; worker + its ffmpegs)`, value: median(cpu), unit: 'CPU-s', digits: 3, note: `worst ${max(cpu)?.toFixed(3)} CPU-s; of the median join, the two ffmpegs ${median(ffmpegCpu)?.toFixed(3)} CPU-s` }, CPU_PER_JOIN_LIMIT_SEC),
    info(NAME, { name: 'reference: ffmpeg start-up alone (`ffmpeg -version`, median of 5)', value: median(startup), unit: 'CPU-s', digits: 3, note: 'a join starts ffmpeg twice (decode, encode): the floor of its cost on this machine' }),
    info(NAME, { name: 'time to make one join (median)', value: median(wall), unit: 'ms', digits: 0, note: `worst ${max(wall)?.toFixed(0)} ms; a join is started ≥ 5 s before it is due` }),
  ];
}

/** CPU-seconds ffmpeg spends starting and exiting, doing nothing: measured in the same run, on this machine. */
function ffmpegStartupCpu(): number[] {
  return Array.from({ length: 5 }, () => {
    const before = cpuTimes(process.pid);
    spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 10_000 });
    const after = cpuTimes(process.pid);
    return before && after ? after.reapedChildren - before.reapedChildren : Number.NaN;
  });
}

async function framesOf(path: string): Promise<Mp3Frame[]> {
  const frames: Mp3Frame[] = [];
  for await (const batch of transcode({ input: path, format: DEFAULT_STREAM_FORMAT, logger: silentLogger() })) frames.push(...(batch as Mp3Frame[]));
  return frames;
}
