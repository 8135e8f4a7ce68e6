import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_STREAM_FORMAT, transcode, type Mp3FrameBatch, type StreamFormat } from '../src/audio/index.js';
// The exact command line the worker runs (not part of audio/'s public face; the bench must not drift from it).
import { ffmpegArguments, songInput, transcodeCommand } from '../src/audio/commands.js';
import { silentLogger } from '../src/log/index.js';
import { info, type Figure } from './figure.js';
import type { BenchContext } from './harness.js';
import { trackChild } from './scope.js';
import { median } from './stats.js';

const run = promisify(execFile);

const NAME = 'transcode';
const SONG_SECONDS = 180;
const RUNS = 3;
const FIXED_COST_RUNS = 5;
/** A 3-minute song transcodes in a few seconds; past this ffmpeg is stuck. */
const FFMPEG_TIMEOUT_MS = 60_000;

export interface Timed {
  wallSec: number;
  cpuSec: number;
}

/**
 * 3. ffmpeg transcode speed, m4a → MP3 128k, with the worker's own command line (src/audio/commands.ts).
 *
 * CPU of a child: Node's process.resourceUsage() covers only this process, and /proc/<pid>/stat of the
 * child can only be read while it runs (its last moments are missed). Bash's `time` keyword reports user
 * and system time from the kernel's rusage of the waited-for child (getrusage(RUSAGE_CHILDREN) before and
 * after), which includes every thread of ffmpeg up to its exit: exact, and the same figure /usr/bin/time
 * gives. ffmpeg's stdout goes to a file, its stderr to /dev/null.
 */
export async function measureTranscode(context: BenchContext): Promise<Figure[]> {
  const format = DEFAULT_STREAM_FORMAT;
  const tone = await context.tone({ seconds: SONG_SECONDS, frequency: 440, title: 'Transcode' });
  const noise = await makePinkNoise(join(context.dir, `pink-noise-${SONG_SECONDS}s.m4a`), SONG_SECONDS);
  const short = await context.tone({ seconds: 1, frequency: 440, title: 'Short' });

  const figures: Figure[] = [];
  for (const [label, path] of [['sine tone', tone], ['pink noise', noise]] as const) {
    context.say(`${NAME}: ${label}, ${RUNS} runs`);
    const runs: Timed[] = [];
    for (let attempt = 0; attempt < RUNS; attempt += 1) runs.push(await timedTranscode(path, format, join(context.dir, 'out.mp3')));
    const speeds = runs.map((timed) => SONG_SECONDS / timed.wallSec);
    const cpuPerMinute = runs.map((timed) => timed.cpuSec / (SONG_SECONDS / 60));
    const note = `${RUNS} runs; ffmpeg wall ${runs.map((timed) => timed.wallSec.toFixed(2)).join(', ')} s; CPU (user+sys) ${runs.map((timed) => timed.cpuSec.toFixed(2)).join(', ')} s`;
    figures.push(
      info(NAME, { name: `ffmpeg m4a → MP3 128k, ${SONG_SECONDS} s ${label}: speed (median)`, value: median(speeds), unit: '× real time', digits: 1, note }, label === 'sine tone' ? 'Liquidsoap box: ~109 ×' : '–'),
      info(NAME, { name: `ffmpeg m4a → MP3 128k, ${SONG_SECONDS} s ${label}: CPU per audio minute (median)`, value: median(cpuPerMinute), unit: 'CPU-s', digits: 3 }, label === 'sine tone' ? 'Liquidsoap box: ~0.55 CPU-s' : '–'),
    );
  }

  const fixed: number[] = [];
  for (let attempt = 0; attempt < FIXED_COST_RUNS; attempt += 1) fixed.push((await timedTranscode(short, format, join(context.dir, 'out.mp3'))).wallSec);
  figures.push(info(NAME, { name: 'ffmpeg fixed cost per song (wall time of a 1 s input, median)', value: median(fixed), unit: 's', digits: 3 }, 'Liquidsoap box: ~0.06 s'));

  const started = performance.now();
  const frames = await drainTranscode(tone, format);
  figures.push(
    info(NAME, {
      name: `transcode() in this process (ffprobe + ffmpeg + frame split + gapless trim), ${SONG_SECONDS} s tone: speed`,
      value: SONG_SECONDS / ((performance.now() - started) / 1000),
      unit: '× real time',
      digits: 1,
      note: `${frames} frames, read as fast as they came; first call in the process`,
    }),
  );
  return figures;
}

/** The worker's ffmpeg arguments for one file. */
export function workerFfmpegArgs(path: string, format: StreamFormat): string[] {
  return ffmpegArguments(transcodeCommand(songInput(path), format));
}

/** Runs the worker's ffmpeg command for one file under bash's `time`. */
export async function timedTranscode(path: string, format: StreamFormat, output: string): Promise<Timed> {
  const args = workerFfmpegArgs(path, format);
  const script = 'TIMEFORMAT="%3R %3U %3S"; time "$@" >"$BENCH_OUTPUT" 2>/dev/null';
  const { code, stderr } = await runChild('bash', ['-c', script, 'bench-time', 'ffmpeg', ...args], { ...process.env, BENCH_OUTPUT: output });
  const timing = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
  if (code !== 0 || !timing) throw new Error(`ffmpeg transcode of ${path} failed (exit ${String(code)}): ${stderr.slice(-300)}`);
  return { wallSec: Number(timing[1]), cpuSec: Number(timing[2]) + Number(timing[3]) };
}

function runChild(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), FFMPEG_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Reads every frame of transcode() as fast as it comes; resolves with the frame count. */
async function drainTranscode(path: string, format: StreamFormat): Promise<number> {
  const stream = transcode({ input: path, format, logger: silentLogger() });
  const timer = setTimeout(() => stream.destroy(new Error(`transcode() of ${path} took over ${FFMPEG_TIMEOUT_MS} ms`)), FFMPEG_TIMEOUT_MS);
  let frames = 0;
  try {
    // Counted a batch at a time, as the station's Track takes them: the consumer's own cost stays out of the speed.
    for await (const batch of stream) frames += (batch as Mp3FrameBatch).length;
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }
  return frames;
}

/** Pink noise as AAC in MP4: the hardest material for an MP3 encoder, next to the easy sine. */
async function makePinkNoise(path: string, seconds: number): Promise<string> {
  await run(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.25:sample_rate=44100:duration=${seconds}`, '-ac', '2', '-c:a', 'aac', '-b:a', '160k', '-f', 'mp4', path],
    { timeout: FFMPEG_TIMEOUT_MS },
  );
  return path;
}
