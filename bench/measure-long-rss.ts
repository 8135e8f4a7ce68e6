import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchWorker, waitForMounts, type BenchContext } from './harness.js';
import { watchProcess, type WindowSample } from './sampler.js';
import { linearFit, max } from './stats.js';

const NAME = 'long-rss';
const MOUNT = '/long.mp3';
const RUN_SECONDS = 600;
const SAMPLE_EVERY_SECONDS = 10;
/** Songs of odd lengths, looping: ~19 song changes in 10 minutes, so a per-song leak shows. */
const SONGS = [
  { seconds: 23.3, frequency: 440 },
  { seconds: 31.7, frequency: 550 },
  { seconds: 41.9, frequency: 660 },
] as const;
/** "Flat" as this bench judges it: the fitted line may rise this much over the 10 minutes. */
const FLAT_LIMIT_MB = 5;
/**
 * Sampled and reported, not judged: in its first minutes a worker's malloc arena grows to its working
 * size (buffers outside the V8 heap, freed when GC collects their owners), about +10 MB, and then stays
 * there (measured over 30 minutes: 70-71 MB from minute 10 to 26). The judged 10 minutes follow it.
 */
const WARM_UP_SECONDS = 300;

/**
 * 2 (`--long`). RSS of a one-station worker with songs changing, sampled every 10 s: over its first five
 * minutes (warm-up), then over the 10 minutes judged for flatness.
 */
export async function measureLongRss(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const songs = await Promise.all(SONGS.map((song) => context.tone({ ...song, title: `Long ${song.frequency}` })));
  const icecast = await benchIcecast(scope);
  const worker = await benchWorker(scope, icecast, [{ name: 'long', mount: MOUNT, songs }]);
  await waitForMounts(icecast, [MOUNT], 10_000, scope.signal);
  const pid = worker.child.pid ?? -1;
  const say = (phase: string) => (sample: WindowSample) => {
    if (Math.round(sample.t) % 60 === 0) context.say(`${NAME}: ${phase} t = ${Math.round(sample.t)} s, RSS ${sample.rssMb.toFixed(1)} MB`);
  };
  context.say(`${NAME}: ${WARM_UP_SECONDS / 60} minutes of warm-up, then ${RUN_SECONDS / 60} minutes, RSS every ${SAMPLE_EVERY_SECONDS} s`);
  const warmUp = await watchProcess(pid, WARM_UP_SECONDS, SAMPLE_EVERY_SECONDS, scope.signal, say('warm-up'));
  const window = await watchProcess(pid, RUN_SECONDS, SAMPLE_EVERY_SECONDS, scope.signal, say('judged'));

  const values = window.rss.map((sample) => sample.rssMb);
  const fit = linearFit(window.rss.map((sample) => ({ x: sample.t / 60, y: sample.rssMb })));
  const growth = fit ? fit.slope * (RUN_SECONDS / 60) : undefined;
  const songsPlayed = worker.events.filter((event) => event.msg === 'now playing').length;
  // Settling to a working size slows down; a leak does not: compare the two halves.
  const middle = values[Math.floor(values.length / 2)];
  const halves = middle === undefined || values[0] === undefined || values.at(-1) === undefined ? '' : `; first half ${signed(middle - values[0])} MB, second half ${signed(values.at(-1)! - middle)} MB`;
  const warmUpValues = warmUp.rss.map((sample) => sample.rssMb);
  return [
    info(NAME, { name: `worker RSS over the first ${WARM_UP_SECONDS / 60} minutes (warm-up): first → last sample`, value: warmUpValues.at(-1), unit: 'MB', digits: 1, note: `from ${warmUpValues[0]?.toFixed(1)} MB at mount up` }),
    info(NAME, { name: 'worker RSS, first sample of the judged 10 minutes', value: values[0], unit: 'MB', digits: 1 }),
    info(NAME, { name: 'worker RSS, last sample', value: values.at(-1), unit: 'MB', digits: 1 }),
    info(NAME, { name: 'worker RSS, max', value: max(values), unit: 'MB', digits: 1, note: `VmHWM ${window.peakRssMb?.toFixed(1)} MB` }, 'Liquidsoap: 188 MB'),
    atMost(
      NAME,
      { name: 'worker RSS growth over 10 min (least-squares slope × 10 min)', value: growth, unit: 'MB', digits: 2, note: `slope ${fit?.slope.toFixed(3)} MB/min${halves}; ${window.rss.length} samples; ${songsPlayed} songs started` },
      FLAT_LIMIT_MB,
    ),
    info(NAME, { name: 'worker CPU over the 10 min, song changes included (% of one core)', value: window.cpu.selfPercent, unit: '%', digits: 3, note: `ffmpeg children: ${window.cpu.childrenPercent.toFixed(3)} %` }),
  ];
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
