import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  liveFfmpegPids,
  MAX_BATCH_FRAMES,
  transcode,
  TRANSCODE_BUFFER_SECONDS,
  TranscodeError,
  type Mp3Frame,
  type StreamFormat,
} from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { makeTone } from '../support/fixtures.js';
import { eachFrame } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const STATION: StreamFormat = { bitrateKbps: 128, sampleRate: 44100, channels: 2 };
const LONG_SECONDS = 120;

let temp: { dir: string; remove: () => Promise<void> };
let longSong: string;
/** An http server that accepts requests and never answers: ffmpeg waits on it without writing anything. */
let stalling: Server;
let stallingUrl: string;
const stalledSockets = new Set<Socket>();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True once the process is gone (or only a zombie waiting for a reaper we do not control). */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return /^\d+ \(.*\) Z /.test(stat);
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (await isGone(pid)) return true;
  }
  return isGone(pid);
}

async function waitForPid(stream: { pid: number | undefined }, timeoutMs: number): Promise<number> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(20)) {
    if (stream.pid !== undefined) return stream.pid;
  }
  throw new Error('ffmpeg did not start');
}

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-lifecycle');
  longSong = await makeTone({ path: join(temp.dir, `aac-${LONG_SECONDS}s.m4a`), seconds: LONG_SECONDS, frequency: 440, format: 'm4a' });
  stalling = createServer(() => {});
  stalling.on('connection', (socket) => {
    stalledSockets.add(socket);
    socket.once('close', () => stalledSockets.delete(socket));
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  stallingUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/never.m4a`;
});

afterAll(async () => {
  for (const socket of stalledSockets) socket.destroy();
  await new Promise((resolve) => stalling?.close(resolve));
  await temp?.remove();
});

describe('transcode backpressure and lifetime', () => {
  it('pauses ffmpeg while the consumer does not read, then delivers every frame', async () => {
    const stream = transcode({ input: longSong, format: STATION, logger: silentLogger() });
    const frames: Mp3Frame[] = [];
    for await (const frame of eachFrame(stream)) {
      frames.push(frame);
      if (frames.length === 10) break;
    }
    // `break` destroyed that iterator's stream; start over and pause by not reading.
    expect(await waitUntilGone((await waitForPid(stream, 1000)), 3000)).toBe(true);

    const paused = transcode({ input: longSong, format: STATION, logger: silentLogger() });
    const first = await once(paused, 'readable');
    expect(first).toBeDefined();
    const pid = await waitForPid(paused, 1000);
    // Unthrottled, ffmpeg turns these 120 s into MP3 in about a second here; paused, it must still be waiting.
    await sleep(3000);
    expect(await isGone(pid)).toBe(false);
    expect(paused.summary).toBeUndefined();
    const capacity = Math.ceil((TRANSCODE_BUFFER_SECONDS * STATION.sampleRate) / 1152);
    expect(paused.bufferedFrames).toBeGreaterThan(0);
    // The splitter's batches are taken whole, so the buffer may pass its capacity by up to one before ffmpeg pauses.
    expect(paused.bufferedFrames).toBeLessThanOrEqual(capacity + MAX_BATCH_FRAMES);

    let count = 0;
    for await (const frame of eachFrame(paused)) if (frame) count += 1;
    const expected = Math.floor((LONG_SECONDS * STATION.sampleRate) / 1152);
    expect(Math.abs(count - expected)).toBeLessThanOrEqual(2);
    expect(await waitUntilGone(pid, 3000)).toBe(true);
  });

  it('hands out every frame ffmpeg made before it died, then a TranscodeError', async () => {
    const stream = transcode({ input: longSong, format: STATION, logger: silentLogger() });
    let frames = 0;
    let caught: unknown;
    try {
      for await (const frame of eachFrame(stream)) {
        if (frame) frames += 1;
        if (frames === 20) process.kill(await waitForPid(stream, 1000), 'SIGKILL');
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TranscodeError);
    const error = caught as TranscodeError;
    expect(error.signal).toBe('SIGKILL');
    expect(error.exitCode).toBeNull();
    expect(error.message).toMatch(/killed by SIGKILL/);
    // Whatever ffmpeg had written was still played: the frames before the error are all there.
    expect(frames).toBeGreaterThan(20);
    expect(error.framesBefore).toBe(frames);
  });

  it('kills ffmpeg when the stream is destroyed mid-song', async () => {
    const stream = transcode({ input: longSong, format: STATION, logger: silentLogger() });
    await once(stream, 'readable');
    const pid = await waitForPid(stream, 1000);
    stream.destroy();
    expect(await waitUntilGone(pid, 3000)).toBe(true);
    expect(liveFfmpegPids()).not.toContain(pid);
  });

  it('kills ffmpeg that is stuck waiting on the network when the stream is destroyed', async () => {
    const stream = transcode({ input: stallingUrl, format: STATION, logger: silentLogger() });
    stream.on('error', () => {});
    const pid = await waitForPid(stream, 2000);
    await sleep(300);
    expect(await isGone(pid)).toBe(false);
    stream.destroy();
    expect(await waitUntilGone(pid, 3000)).toBe(true);
  });

  it('kills ffmpeg that had not started yet when the stream was destroyed', async () => {
    const before = new Set(liveFfmpegPids());
    const stream = transcode({ input: longSong, format: STATION, logger: silentLogger() });
    stream.destroy();
    await sleep(1500);
    expect(liveFfmpegPids().filter((pid) => !before.has(pid))).toEqual([]);
  });

  it('kills running ffmpeg children when the parent process exits', async () => {
    // A separate Node process runs the compiled audio module, starts ffmpeg on a URL that never answers
    // (so ffmpeg would wait out its 15 s network timeout), prints the pid and exits.
    const build = join(temp.dir, 'build');
    const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
    const tscOptions = ['--outDir', build, '--rootDir', process.cwd(), '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const compilerFlags = ['--strict', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'];
    await promisify(execFile)(process.execPath, [tsc, ...tscOptions, ...compilerFlags, join(process.cwd(), 'src', 'audio', 'index.ts')], { timeout: 60_000 });
    await writeFile(join(build, 'package.json'), '{"type":"module"}');
    await symlink(join(process.cwd(), 'node_modules'), join(build, 'node_modules'), 'dir');
    const script = `
      import { transcode } from './src/audio/index.js';
      import { silentLogger } from './src/log/index.js';
      const stream = transcode({ input: process.argv[2], format: { bitrateKbps: 128, sampleRate: 44100, channels: 2 }, logger: silentLogger() });
      stream.on('error', () => {});
      const started = Date.now();
      const timer = setInterval(() => {
        if (stream.pid !== undefined || Date.now() - started > 5000) {
          console.log(JSON.stringify({ pid: stream.pid ?? null }));
          setTimeout(() => process.exit(0), 200);
          clearInterval(timer);
        }
      }, 20);
    `;
    await writeFile(join(build, 'exit-with-child.mjs'), script);

    const child = spawn(process.execPath, [join(build, 'exit-with-child.mjs'), stallingUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const { pid } = JSON.parse(output.trim()) as { pid: number | null };
    expect(pid).not.toBeNull();
    expect(await waitUntilGone(pid!, 2000)).toBe(true);
  });
});
