import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveFfmpegPids, transcode, TranscodeStalledError, type StreamFormat } from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { useCdnServer } from '../support/cdn-server.js';
import { makeTone } from '../support/fixtures.js';
import { eachFrame } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const STATION: StreamFormat = { bitrateKbps: 128, sampleRate: 44100, channels: 2 };
/** Deadlines short enough for a test, long enough that ffmpeg on a loaded machine meets them on good input. */
const DEADLINES = { firstFrameMs: 1_500, stallMs: 1_500 };
/** Room for a loaded 2-core machine on top of each deadline; far below the minutes it used to take. */
const MARGIN_MS = 1_500;
/** The stream ends within this after the deadline trips, and ffmpeg is gone by then (SIGTERM, then SIGKILL). */
const SETTLE_MS = 3_000;

const server = useCdnServer();
let temp: { dir: string; remove: () => Promise<void> };
let song: Buffer;

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-deadlines');
  song = await readFile(await makeTone({ path: join(temp.dir, 'tone-20s.mp3'), seconds: 20, frequency: 440, format: 'mp3' }));
});

afterAll(async () => {
  await temp?.remove();
});

/** Reads the stream to its end; what came, when the last frame came, and how it ended. */
async function consume(stream: AsyncIterable<unknown> & NodeJS.ReadableStream) {
  let frames = 0;
  let lastFrameAt = NaN;
  let error: unknown;
  try {
    for await (const _frame of eachFrame(stream as never)) {
      frames += 1;
      lastFrameAt = performance.now();
    }
  } catch (caught) {
    error = caught;
  }
  return { frames, lastFrameAt, error, endedAt: performance.now() };
}

async function ffmpegGone(pid: number | undefined, withinMs: number): Promise<boolean> {
  for (const end = performance.now() + withinMs; performance.now() < end; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (pid === undefined || !liveFfmpegPids().includes(pid)) return true;
  }
  return false;
}

describe('ffmpeg deadlines', () => {
  it('fails a URL trickling 1 byte/s with TranscodeStalledError at the first-frame deadline, and stops ffmpeg', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(song.length) });
      let offset = 0;
      const send = () => response.write(song.subarray(offset, ++offset));
      send();
      server().timers.add(setInterval(send, 1_000));
    };
    const startedAt = performance.now();
    const stream = transcode({ input: `${server().base}/trickle.mp3?sig=SECRET`, format: STATION, logger: silentLogger(), deadlines: DEADLINES });
    const result = await consume(stream);
    expect(result.frames).toBe(0);
    expect(result.error).toBeInstanceOf(TranscodeStalledError);
    expect(result.error).toMatchObject({ code: 'ERR_TRANSCODE_STALLED', deadline: 'first-frame', limitMs: 1_500, framesBefore: 0 });
    expect((result.error as Error).message).toMatch(/no MP3 frame within the 1500 ms first-frame deadline/);
    expect((result.error as Error).message).not.toContain('SECRET');
    expect(result.endedAt - startedAt).toBeLessThan(DEADLINES.firstFrameMs + MARGIN_MS);
    expect(await ffmpegGone(stream.pid, SETTLE_MS)).toBe(true);
  });

  it('fails a URL that sends headers and then nothing at the first-frame deadline', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(song.length) });
      response.flushHeaders();
    };
    const startedAt = performance.now();
    const stream = transcode({ input: `${server().base}/silent.mp3`, format: STATION, logger: silentLogger(), deadlines: DEADLINES });
    const result = await consume(stream);
    expect(result.error).toMatchObject({ deadline: 'first-frame' });
    expect(result.endedAt - startedAt).toBeLessThan(DEADLINES.firstFrameMs + MARGIN_MS);
    expect(await ffmpegGone(stream.pid, SETTLE_MS)).toBe(true);
  });

  it('hands out the frames of a URL that sends half the song and stalls, then fails at the stall deadline', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(song.length) });
      response.write(song.subarray(0, song.length / 2)); // …and then nothing, the connection left open
    };
    const stream = transcode({ input: `${server().base}/half.mp3`, format: STATION, logger: silentLogger(), deadlines: DEADLINES });
    const result = await consume(stream);
    expect(result.frames).toBeGreaterThan(100); // ~10 s of audio arrived and played
    expect(result.error).toBeInstanceOf(TranscodeStalledError);
    expect(result.error).toMatchObject({ deadline: 'stall', limitMs: 1_500, framesBefore: result.frames });
    expect((result.error as Error).message).toMatch(/no new MP3 frame for the 1500 ms stall deadline while frames were wanted, after \d+ frames/);
    expect(result.endedAt - result.lastFrameAt).toBeLessThan(DEADLINES.stallMs + MARGIN_MS);
    expect(await ffmpegGone(stream.pid, SETTLE_MS)).toBe(true);
  });

  it('does not count time ffmpeg is held back by a consumer that is not reading as a stall', async () => {
    const stream = transcode({ input: join(temp.dir, 'tone-20s.mp3'), format: STATION, logger: silentLogger(), deadlines: { firstFrameMs: 5_000, stallMs: 300 } });
    await new Promise((resolve) => stream.once('readable', resolve));
    // Ten stall deadlines without reading: the buffer is full and ffmpeg waits for us, as it should.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const result = await consume(stream);
    expect(result.error).toBeUndefined();
    expect(result.frames).toBeGreaterThan(700);
  });

  it('refuses deadlines that are not whole numbers of ms >= 1', () => {
    const input = join(temp.dir, 'tone-20s.mp3');
    expect(() => transcode({ input, format: STATION, logger: silentLogger(), deadlines: { stallMs: 0 } })).toThrow(/stallMs must be a whole number of ms >= 1/);
    expect(() => transcode({ input, format: STATION, logger: silentLogger(), deadlines: { firstFrame: 5 } as never })).toThrow(/unknown deadline "firstFrame"/);
  });
});
