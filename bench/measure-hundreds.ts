import { DEFAULT_STREAM_FORMAT } from '../src/audio/index.js';
import { decodeMp3 } from '../test/support/decode.js';
import type { Listener } from '../test/support/listener.js';
import { wholeFrames } from '../test/support/whole-frames.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchListener, benchWorker, mountsUp, waitForMounts, type BenchContext } from './harness.js';
import { NODE_FLOOR_SCRIPT, startNodeFloor } from './node-floor.js';
import { preparedCacheDir } from './prepared-songs.js';
import { cpuSince, snapshot } from './proc-stats.js';
import { watchProcess, type WindowResult } from './sampler.js';
import { pollUntil, sleep } from './scope.js';
import { chunkGapsMs, max, receivedRate } from './stats.js';

const NAME = 'hundreds';
const STATIONS = 200;
/** Mounts listened to and decoded, spread over the 200. */
const SAMPLED = 5;
const WINDOW_SECONDS = 60;
/** After a listener joins: its burst (up to 192 KiB from Icecast's queue) is over well before. */
const SETTLE_SECONDS = 10;
/** Longer than start-up and both windows: no song change inside them. */
const SONG_SECONDS = 300;
const NOMINAL_KBPS = DEFAULT_STREAM_FORMAT.bitrateKbps;
const START_TIMEOUT_MS = 90_000;

interface SampledListener {
  readonly mount: string;
  readonly listener: Listener;
}

/**
 * Issue 16 item 2: 200 stations in one worker process on one pacing clock, their song prepared (in the
 * disk cache, no ffmpeg), against one station and an empty Node timer measured in the same run (one
 * after the other, so neither loads the other's window). Five mounts have a listener whose audio is
 * decoded by ffmpeg: largest stall and bitrate at each.
 */
export async function measureHundreds(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = await context.tone({ seconds: SONG_SECONDS, frequency: 440, title: 'Hundreds' });
  const cacheDir = await preparedCacheDir(context.dir, [song]);
  const icecast = await benchIcecast(scope, { maxSources: STATIONS + 8 });

  context.say(`${NAME}: one station and an empty Node timer, ${WINDOW_SECONDS} s`);
  const single = await benchWorker(scope, icecast, [{ name: 'one', mount: '/one.mp3', songs: [song] }], { cacheDir });
  const floorPid = startNodeFloor(scope);
  await waitForMounts(icecast, ['/one.mp3'], 15_000, scope.signal);
  await single.waitForEvent((event) => event.msg === 'now playing', 15_000);
  await sleep(SETTLE_SECONDS * 1000, scope.signal);
  const floorStart = snapshot(floorPid);
  const one = await watchProcess(single.child.pid ?? -1, WINDOW_SECONDS, 5, scope.signal);
  const floor = cpuSince(floorStart, floorPid);
  await single.stop();

  context.say(`${NAME}: ${STATIONS} stations in one process, ${WINDOW_SECONDS} s with ${SAMPLED} decoding listeners`);
  const stations = Array.from({ length: STATIONS }, (_unused, index) => {
    const name = `h${String(index + 1).padStart(3, '0')}`;
    return { name, mount: `/${name}.mp3`, songs: [song] };
  });
  const startedAt = performance.now();
  const worker = await benchWorker(scope, icecast, stations, { cacheDir });
  const playing = () => worker.events.filter((event) => event.msg === 'now playing').length;
  await pollUntil(
    async () => {
      const up = (await mountsUp(icecast)).length;
      context.say(`${NAME}: ${up} of ${STATIONS} mounts up, ${playing()} stations playing, ${((performance.now() - startedAt) / 1000).toFixed(0)} s after start`);
      return up >= STATIONS && playing() >= STATIONS ? true : undefined;
    },
    { intervalMs: 5_000, timeoutMs: START_TIMEOUT_MS, signal: scope.signal, what: `all ${STATIONS} stations up and playing` },
  );
  const allPlayingSec = (performance.now() - startedAt) / 1000;
  const sampled: SampledListener[] = [];
  for (let index = 0; index < SAMPLED; index += 1) {
    const { mount } = stations[Math.floor((index * STATIONS) / SAMPLED)]!;
    sampled.push({ mount, listener: await benchListener(scope, `${icecast.url}${mount}`) });
  }
  await sleep(SETTLE_SECONDS * 1000, scope.signal);
  const from = performance.now();
  const many = await watchProcess(worker.child.pid ?? -1, WINDOW_SECONDS, 1, scope.signal);
  const to = performance.now();
  const dropped = sampled.filter(({ listener }) => listener.disconnected !== undefined).map(({ mount }) => mount);
  for (const { listener } of sampled) listener.close();
  const heard = await Promise.all(sampled.map((entry) => listenerFigures(entry, from, to)));

  return [
    ...cpuFigures(one, many, floor?.selfPercent),
    atMost(NAME, { name: `${STATIONS} stations: worker RSS, max over the window`, value: max(many.rss.map((sample) => sample.rssMb)), unit: 'MB', digits: 1, note: `VmHWM ${many.peakRssMb?.toFixed(1)} MB (start-up included)` }, 300),
    info(NAME, { name: `${STATIONS} stations: start → every station playing`, value: allPlayingSec, unit: 's', digits: 1 }),
    atMost(NAME, { name: `${STATIONS} stations: largest stall at the ${SAMPLED} sampled listeners`, value: max(heard.map((entry) => entry.stallSec ?? Infinity)), unit: 's', digits: 3, note: heard.map((entry) => `${entry.mount} ${entry.stallSec?.toFixed(3)} s`).join(', ') }, 0.25),
    atMost(NAME, { name: `${STATIONS} stations: largest bitrate deviation at the sampled listeners (± from ${NOMINAL_KBPS} kb/s)`, value: max(heard.map((entry) => Math.abs(entry.deviationPercent ?? Infinity))), unit: '%', digits: 3, note: heard.map((entry) => `${entry.mount} ${entry.kbps?.toFixed(2)} kb/s`).join(', ') }, 0.2),
    atMost(NAME, { name: `${STATIONS} stations: decode errors and dropped listeners among the ${SAMPLED} sampled`, value: heard.reduce((sum, entry) => sum + entry.decodeErrors, 0) + dropped.length, unit: '', digits: 0, note: `${dropped.length ? `dropped: ${dropped.join(' ')}; ` : ''}${heard.map((entry) => `${entry.mount} ${entry.decodedSec.toFixed(1)} s decoded, ${entry.decodeErrors} errors`).join(', ')}` }, 0),
  ];
}

/** The CPU rows: 1 station against the floor, 200 stations, and the marginal cost of one more station. */
function cpuFigures(one: WindowResult, many: WindowResult, floorPercent: number | undefined): Figure[] {
  const single = one.cpu.selfPercent;
  const marginal = (many.cpu.selfPercent - single) / (STATIONS - 1);
  const floorText = floorPercent === undefined ? 'floor not measured' : `floor ${floorPercent.toFixed(3)} %`;
  return [
    info(NAME, { name: `  empty Node process, \`${NODE_FLOOR_SCRIPT}\`: CPU, % of one core (the floor)`, value: floorPercent, unit: '%', digits: 3 }),
    atMost(
      NAME,
      { name: '1 station: worker CPU, % of one core (target: floor + 0.2 %)', value: single, unit: '%', digits: 3, note: `${floorText}; ratio to the floor ${floorPercent ? (single / floorPercent).toFixed(2) : '–'}` },
      (floorPercent ?? 0) + 0.2,
    ),
    atMost(NAME, { name: `${STATIONS} stations: worker CPU, % of one core`, value: many.cpu.selfPercent, unit: '%', digits: 2, note: 'worker node process only; songs from the disk cache, no ffmpeg; no song change in the window' }, 12),
    info(NAME, { name: `  per-station marginal cost: (CPU(${STATIONS}) − CPU(1)) / ${STATIONS - 1}`, value: marginal, unit: '%', digits: 4, note: floorText }),
  ];
}

interface Heard {
  readonly mount: string;
  readonly stallSec: number | undefined;
  readonly kbps: number | undefined;
  readonly deviationPercent: number | undefined;
  readonly decodeErrors: number;
  readonly decodedSec: number;
}

async function listenerFigures({ mount, listener }: SampledListener, from: number, to: number): Promise<Heard> {
  const rate = receivedRate(listener.chunks, from, to);
  const kbps = rate ? (rate.bytesPerSecond * 8) / 1000 : undefined;
  const gap = max(chunkGapsMs(listener.chunks, from, to));
  const decoded = await decodeMp3(await wholeFrames(listener.audio()));
  return {
    mount,
    stallSec: gap === undefined ? undefined : gap / 1000,
    kbps,
    deviationPercent: kbps === undefined ? undefined : (100 * (kbps - NOMINAL_KBPS)) / NOMINAL_KBPS,
    decodeErrors: decoded.errors.length,
    decodedSec: decoded.durationSec,
  };
}
