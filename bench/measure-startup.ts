import { spawn } from 'node:child_process';
import { DEFAULT_STREAM_FORMAT, bytesPerSecond } from '../src/audio/index.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchWorker, listenWhenUp, logTimeOnPerfClock, type BenchContext } from './harness.js';
import { firstMusic } from './listener-audio.js';
import { trackChild } from './scope.js';
import { max, median } from './stats.js';
import { BUILT_CLI_PATH, type BenchWorkerProcess } from './worker.js';

const NAME = 'startup';
/** Each run is a new worker process: cold as far as Node, the worker and ffmpeg are concerned. */
const RUNS = 3;
const MOUNT_TIMEOUT_MS = 10_000;
/** The stations run in the default format (the config sets none). */
const FORMAT = DEFAULT_STREAM_FORMAT;
/** Audio to receive after "now playing" so the first music has surely reached the listener (the pacer leads by 0.4 s). */
const AFTER_MUSIC_BYTES = 3 * bytesPerSecond(FORMAT);

interface Run {
  mountUpMs: number;
  firstByteMs: number | undefined;
  firstMusicMs: number | undefined;
  /** Worker log events, ms after spawn. */
  steps: Record<string, number | undefined>;
}

/** The worker's own log lines that mark the steps of its start-up, in order. */
const STEPS: { label: string; msg: string }[] = [
  { label: 'first log line (Node started, modules loaded, config read)', msg: '' },
  { label: "'station started' (station built, source and pacer started)", msg: 'station started' },
  { label: "'streaming to Icecast' (source accepted)", msg: 'streaming to Icecast' },
  { label: "'ffmpeg started' (song's tags read, transcode spawned)", msg: 'ffmpeg started' },
  { label: "'now playing' (first song's frames taken by the pacer)", msg: 'now playing' },
];

/** 1. start → mount up, → first audio byte, → first music at a listener; three cold starts. */
export async function measureStartup(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = await context.tone({ seconds: 30, frequency: 440, title: 'Startup' });
  const icecast = await benchIcecast(scope);
  const runs: Run[] = [];

  for (let run = 1; run <= RUNS; run += 1) {
    const mount = `/startup-${run}.mp3`;
    context.say(`${NAME}: cold start ${run}/${RUNS}`);
    const worker = await benchWorker(scope, icecast, [{ name: `startup-${run}`, mount, songs: [song] }], { logLevel: 'debug' });
    // Mount up = the first moment a listener gets 200 for it (see listenWhenUp).
    const { listener, at: mountUpAt } = await listenWhenUp(scope, `${icecast.url}${mount}`, MOUNT_TIMEOUT_MS);
    await worker.waitForEvent((event) => event.msg === 'now playing', 15_000);
    await listener.waitForBytes(listener.byteCount + AFTER_MUSIC_BYTES, 10_000);
    listener.close();
    await worker.stop();

    const music = await firstMusic(listener.audio(), listener.chunks, FORMAT);
    runs.push({
      mountUpMs: mountUpAt - worker.spawnedAt,
      firstByteMs: listener.chunks[0] ? listener.chunks[0].at - worker.spawnedAt : undefined,
      firstMusicMs: music ? music.arrivedAt - worker.spawnedAt : undefined,
      steps: stepTimes(worker),
    });
  }

  const seconds = (values: (number | undefined)[]) => values.filter((value): value is number => value !== undefined).map((ms) => ms / 1000);
  const list = (values: number[]) => `runs: ${values.map((value) => value.toFixed(3)).join(', ')} s`;
  const mountUp = seconds(runs.map((run) => run.mountUpMs));
  const firstByte = seconds(runs.map((run) => run.firstByteMs));
  const music = seconds(runs.map((run) => run.firstMusicMs));
  const figures: Figure[] = [
    atMost(NAME, { name: `start → mount up: a listener gets 200 (worst of ${RUNS} cold starts)`, value: max(mountUp), unit: 's', digits: 3, note: list(mountUp) }, 0.5),
    info(NAME, { name: `start → first audio byte at a listener (worst of ${RUNS})`, value: max(firstByte), unit: 's', digits: 3, note: list(firstByte) }, 'Liquidsoap: ~2.1 s'),
    atMost(NAME, { name: `start → first music at a listener (worst of ${RUNS}, decoded, > -50 dBFS)`, value: max(music), unit: 's', digits: 3, note: list(music) }, 3),
  ];
  for (const step of STEPS) {
    const values = seconds(runs.map((run) => run.steps[step.label]));
    figures.push(info(NAME, { name: `  start → ${step.label} (median)`, value: median(values), unit: 's', digits: 3, note: list(values) }));
  }
  const help: { wallSec: number; peakRssMb: number }[] = [];
  for (let run = 0; run < RUNS; run += 1) help.push(await helpRun());
  figures.push(
    info(NAME, { name: '  `relaycast --help` (Node start + loading every module, nothing else): wall time (median)', value: median(help.map((h) => h.wallSec)), unit: 's', digits: 3 }),
    info(NAME, { name: '  `relaycast --help`: peak RSS (what loading the modules costs before any station)', value: median(help.map((h) => h.peakRssMb)), unit: 'MB', digits: 1 }),
  );
  return figures;
}

function stepTimes(worker: BenchWorkerProcess): Record<string, number | undefined> {
  const steps: Record<string, number | undefined> = {};
  for (const step of STEPS) {
    const event = step.msg === '' ? worker.events[0] : worker.events.find((candidate) => candidate.msg === step.msg);
    const at = logTimeOnPerfClock(event?.time);
    steps[step.label] = at === undefined ? undefined : at - worker.spawnedAt;
  }
  return steps;
}

/**
 * Preloaded into `relaycast --help`: prints the process's peak RSS (VmHWM) as it exits. A data: URL, so
 * nothing is written to disk (and no `?` or `#` in it, which a URL would cut at); --import runs it
 * before the CLI's own modules load.
 */
const PEAK_RSS_ON_EXIT =
  'data:text/javascript,import { readFileSync } from "node:fs"; process.on("exit", () => process.stderr.write("bench-peak-rss-kb " + (/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8")) || [])[1] + "\\n"));';

/** `node dist/src/cli/main.js --help`: how long loading the CLI takes, and the memory it leaves. */
function helpRun(): Promise<{ wallSec: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = trackChild(spawn(process.execPath, ['--import', PEAK_RSS_ON_EXIT, BUILT_CLI_PATH, '--help'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const peak = /bench-peak-rss-kb (\d+)/.exec(stderr);
      if (!peak) reject(new Error(`relaycast --help did not report its peak RSS: ${stderr.slice(-300)}`));
      else resolve({ wallSec: (performance.now() - started) / 1000, peakRssMb: Number(peak[1]) / 1024 });
    });
  });
}
