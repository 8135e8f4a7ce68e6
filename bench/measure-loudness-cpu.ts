import { join } from 'node:path';
import { DEFAULT_LOUDNESS_TARGET_LUFS, GAIN_STEP_DB, gainSteps } from '../src/audio/index.js';
import { makeLoudTone, measureLoudness } from '../test/support/loudness.js';
import { wholeFrames } from '../test/support/whole-frames.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchListener, benchWorker, waitForMounts, type BenchContext } from './harness.js';
import { preparedCacheDir } from './prepared-songs.js';
import { cpuSince, snapshot } from './proc-stats.js';
import { sleep } from './scope.js';
import type { BenchWorkerProcess } from './worker.js';

const NAME = 'loudness-cpu';
/** A quiet master: at the default target every frame of it is raised (5 steps), so the gain stage works all the time. */
const MADE_LUFS = -24;
/**
 * Workers side by side, in this order of start-up (ABBA, so neither setting always starts first): two with
 * normalisation on, two with it off. Each setting's figure is the mean of its two; the gap within each pair is
 * the noise between two workers doing the same thing, measured in the same window.
 */
const WORKERS = ['on', 'off', 'off', 'on'] as const;
/** Past start-up and the JIT's first compilations (the pacing row's first minute runs visibly dearer). */
const WARM_UP_S = 30;
const WINDOW_SECONDS = 90;
/** Longer than start-up + warm-up + window: no song change inside the window. */
const SONG_SECONDS = 150;
/**
 * The pass criterion: on ≤ off × (1 + RELATIVE) + ABSOLUTE_PERCENT. What normalisation may add is the gain stage
 * alone: 0.00125 CPU-s per audio minute in the `loudness` row, 0.002 % of a core, far below this allowance. The
 * allowance is for noise: /proc counts in 10 ms ticks (0.011 % of a core over 90 s, on each of two readings per
 * worker), workers collect garbage at different moments, and the other processes of a shared 2-core machine
 * preempt one worker more than another (the same-setting gap this row prints). A re-encode (ffmpeg: ~1.4 % of a
 * core) would fail it many times over.
 */
const RELATIVE = 0.15;
const ABSOLUTE_PERCENT = 0.05;
const DECIDED = 'song levelled by its measured loudness';

type Setting = (typeof WORKERS)[number];

/**
 * Issue 18 item 4, "the 1-station CPU with normalisation on (target: unchanged within noise, since no
 * re-encode)". Four workers side by side (WORKERS), each with one station playing the same quiet song from its
 * own prepared disk cache, whose entry carries the song's measured loudness (as a worker's own fill stores it):
 * on = the default target, every frame gained; off = loudness off, frames passed on. Side by side rather than one
 * after the other, so all see the same machine. Each worker's own CPU over the same steady window; what the
 * listeners heard, measured with ebur128, shows the gain was applied.
 */
export async function measureLoudnessCpu(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = join(context.dir, 'loudness-cpu.mp3');
  await makeLoudTone({ path: song, seconds: SONG_SECONDS, frequency: 440, lufs: MADE_LUFS });
  const icecast = await benchIcecast(scope);
  const workers: { setting: Setting; mount: string; worker: BenchWorkerProcess }[] = [];
  for (const [index, setting] of WORKERS.entries()) {
    const name = `loudness-${setting}-${index}`;
    const cacheDir = await preparedCacheDir(context.dir, [song], { name, measured: true });
    const station = { name, mount: `/${name}.mp3`, songs: [song], loudness: setting === 'on' ? DEFAULT_LOUDNESS_TARGET_LUFS : ('off' as const) };
    workers.push({ setting, mount: station.mount, worker: await benchWorker(scope, icecast, [station], { cacheDir, logLevel: 'debug' }) });
  }
  await waitForMounts(icecast, workers.map((entry) => entry.mount), 10_000, scope.signal);
  const listeners = await Promise.all(workers.map((entry) => benchListener(scope, `${icecast.url}${entry.mount}`)));
  // Each decided the song's level from the figures in its cache entry: raised when on, passed on when off.
  const decisions = await Promise.all(workers.map((entry) => entry.worker.waitForEvent((event) => event.msg === DECIDED, 15_000)));
  const measured = { integratedLufs: Number(decisions[0]!.lufs), truePeakDb: Number(decisions[0]!.truePeakDb) };
  const steps = gainSteps(DEFAULT_LOUDNESS_TARGET_LUFS, measured);
  for (const [index, decision] of decisions.entries()) {
    const expected = workers[index]!.setting === 'on' ? steps : 0;
    if (steps <= 0 || Number(decision.steps) !== expected) throw new Error(`worker ${index} (${workers[index]!.setting}) levelled the song by ${String(decision.steps)} steps, expected ${expected}`);
  }

  context.say(`${NAME}: ${WORKERS.length} workers side by side, ${WARM_UP_S} s warm-up, then a ${WINDOW_SECONDS} s window`);
  await sleep(WARM_UP_S * 1000, scope.signal);
  const pids = workers.map((entry) => entry.worker.child.pid ?? -1);
  const starts = pids.map(snapshot);
  await sleep(WINDOW_SECONDS * 1000, scope.signal);
  const cpu = pids.map((pid, index) => cpuSince(starts[index], pid)?.selfPercent);
  for (const listener of listeners) listener.close();
  const heard = await Promise.all(listeners.map(async (listener) => (await measureLoudness(await wholeFrames(listener.audio()))).lufs));

  const of = (setting: Setting) => workers.flatMap((entry, index) => (entry.setting === setting ? [{ cpu: cpu[index], heard: heard[index]! }] : []));
  const mean = (values: readonly (number | undefined)[]) => (values.some((value) => value === undefined) ? undefined : values.reduce<number>((sum, value) => sum + value!, 0) / values.length);
  const gap = (values: readonly (number | undefined)[]) => (values.some((value) => value === undefined) ? undefined : Math.max(...(values as number[])) - Math.min(...(values as number[])));
  const [on, off] = [of('on'), of('off')];
  const onCpu = mean(on.map((entry) => entry.cpu));
  const offCpu = mean(off.map((entry) => entry.cpu));
  const [onGap, offGap] = [gap(on.map((entry) => entry.cpu)), gap(off.map((entry) => entry.cpu))];
  const noise = onGap === undefined || offGap === undefined ? undefined : Math.max(onGap, offGap);
  const ratio = onCpu !== undefined && offCpu !== undefined && offCpu > 0 ? onCpu / offCpu : undefined;
  const each = (entries: typeof on) => entries.map((entry) => `${entry.cpu?.toFixed(3)} %`).join(' and ');
  const heardText = (entries: typeof on) => entries.map((entry) => entry.heard.toFixed(1)).join(', ');
  const note = `worker node processes only (/proc utime+stime), t = ${WARM_UP_S}-${WARM_UP_S + WINDOW_SECONDS} s after the listeners joined; on: ${each(on)}, off: ${each(off)}; song made at ${MADE_LUFS} LUFS, measured ${measured.integratedLufs} LUFS in its transcode, raised ${steps} steps (${steps * GAIN_STEP_DB} dB); heard at the listeners: on ${heardText(on)} LUFS, off ${heardText(off)} LUFS`;
  return [
    info(NAME, { name: '1 station from the cache, normalisation off (frames passed on): worker CPU, mean of 2', value: offCpu, unit: '%', digits: 3 }),
    atMost(
      NAME,
      { name: `1 station from the cache, normalisation on (${DEFAULT_LOUDNESS_TARGET_LUFS} LUFS, every frame gained), same window: worker CPU, mean of 2`, value: onCpu, unit: '%', digits: 3, note },
      offCpu === undefined ? 0 : offCpu * (1 + RELATIVE) + ABSOLUTE_PERCENT,
    ),
    info(NAME, { name: '  ratio on / off', value: ratio, unit: '×', digits: 2 }, `pass: on ≤ off × ${1 + RELATIVE} + ${ABSOLUTE_PERCENT} %`),
    info(NAME, { name: '  noise: largest CPU gap between two workers of the same setting', value: noise, unit: '%', digits: 3, note: `on pair ${onGap?.toFixed(3)} %, off pair ${offGap?.toFixed(3)} %` }),
  ];
}
