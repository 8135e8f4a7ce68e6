import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseMp3Header,
  transcode,
  TranscodeError,
  type Mp3Frame,
  type StreamFormat,
  type TranscodeStream,
} from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeMp3 } from '../support/decode.js';
import { makeCorruptFile, makeTone, makeTruncatedFile } from '../support/fixtures.js';
import { eachFrame } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const STATION: StreamFormat = { bitrateKbps: 128, sampleRate: 44100, channels: 2 };
const LOW: StreamFormat = { bitrateKbps: 64, sampleRate: 48000, channels: 1 };

let temp: { dir: string; remove: () => Promise<void> };
const fixture = (name: string): string => join(temp.dir, name);

async function collect(stream: TranscodeStream): Promise<{ frames: Mp3Frame[]; firstFrameMs: number }> {
  const started = Date.now();
  let firstFrameMs = -1;
  const frames: Mp3Frame[] = [];
  for await (const frame of eachFrame(stream)) {
    if (firstFrameMs < 0) firstFrameMs = Date.now() - started;
    frames.push(frame);
  }
  return { frames, firstFrameMs };
}

/** The error a stream fails with, and the frames it gave before. */
async function failure(stream: TranscodeStream): Promise<{ error: unknown; frames: number; ms: number }> {
  const started = Date.now();
  let frames = 0;
  try {
    for await (const frame of eachFrame(stream)) if (frame) frames += 1;
  } catch (error) {
    return { error, frames, ms: Date.now() - started };
  }
  throw new Error(`expected the stream to fail, it ended normally after ${frames} frames`);
}

function expectFormat(frames: Mp3Frame[], format: StreamFormat): void {
  for (const frame of frames) {
    const header = parseMp3Header(frame.bytes);
    expect(header).toMatchObject({ mpegVersion: 1, layer: 3, ...format });
    expect(frame.bytes.length).toBe(header!.frameLength);
  }
}

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-transcode');
  await Promise.all([
    makeTone({ path: fixture('aac-moov-at-end.m4a'), seconds: 5, frequency: 440, format: 'm4a' }),
    makeTone({ path: fixture('aac-faststart.m4a'), seconds: 6, frequency: 440, format: 'm4a', moovAtEnd: false }),
    makeTone({ path: fixture('mp3-with-id3-and-info-frame.mp3'), seconds: 4.21, frequency: 660, format: 'mp3', title: 't' }),
    makeTone({ path: fixture('flac-48k-mono.flac'), seconds: 3.33, frequency: 550, format: 'flac', sampleRate: 48000, channels: 1 }),
    makeCorruptFile(fixture('corrupt.m4a')),
  ]);
  await Promise.all([
    makeTruncatedFile(fixture('aac-faststart.m4a'), fixture('aac-faststart-truncated.m4a'), 0.5),
    makeTruncatedFile(fixture('mp3-with-id3-and-info-frame.mp3'), fixture('mp3-truncated.mp3'), 0.5),
    makeTruncatedFile(fixture('aac-moov-at-end.m4a'), fixture('aac-moov-at-end-truncated.m4a'), 0.5),
  ]);
});

beforeAll(async () => {
  // One run first, so the first-frame latency below is a song's, not that of ffmpeg's libraries read from
  // disk for the first time.
  await collect(transcode({ input: fixture('flac-48k-mono.flac'), format: STATION, logger: silentLogger() }));
});

afterAll(async () => {
  await temp?.remove();
});

describe('transcode', () => {
  it('streams an m4a with its index at the end as station-format frames while ffmpeg runs', async () => {
    const stream = transcode({ input: fixture('aac-moov-at-end.m4a'), format: STATION, logger: silentLogger() });
    const { frames, firstFrameMs } = await collect(stream);

    console.info(`first frame after ${firstFrameMs} ms`);
    // A liveness bound, not a speed target (the bench measures speed): frames come while ffmpeg runs.
    expect(firstFrameMs).toBeLessThan(5000);
    expectFormat(frames, STATION);
    const decoded = await decodeMp3(Buffer.concat(frames.map((frame) => frame.bytes)));
    expect(decoded.errors).toEqual([]);
    // 5 s of tone, give or take the gapless trim (at most one frame, 26 ms, at each end).
    expect(decoded.durationSec).toBeGreaterThan(5 - 0.06);
    expect(decoded.durationSec).toBeLessThan(5 + 0.03);
    expect(stream.summary).toMatchObject({ framesEmitted: frames.length });
    // ffmpeg 5.1 decodes the AAC padding the edit list excludes; the trim counts it out.
    expect(stream.summary!.encodedSamples - stream.summary!.sourcePaddingSamples).toBe(5 * 44100);
  });

  it('takes an m4a\'s declared length from the tag reader it is given, once ffmpeg has exited, and asks nothing for an mp3', async () => {
    const asked: Array<{ path: string; ffmpegAlive: boolean }> = [];
    const streams: TranscodeStream[] = [];
    // The process's memoized reader in the worker: here one that says what the file declares (5 s at 44.1 kHz).
    const readTags = (path: string) => {
      asked.push({ path, ffmpegAlive: streams.some((stream) => stream.pid !== undefined && isAlive(stream.pid)) });
      return Promise.resolve({ declaredLength: { samples: 5 * 44100, sampleRate: 44100 } });
    };
    const m4a = transcode({ input: fixture('aac-moov-at-end.m4a'), format: STATION, logger: silentLogger(), readTags });
    streams.push(m4a);
    await collect(m4a);
    expect(asked).toEqual([{ path: fixture('aac-moov-at-end.m4a'), ffmpegAlive: false }]);
    expect(m4a.summary!.sourcePaddingSamples).toBeGreaterThan(0);
    expect(m4a.summary!.encodedSamples - m4a.summary!.sourcePaddingSamples).toBe(5 * 44100);

    const mp3 = transcode({ input: fixture('mp3-with-id3-and-info-frame.mp3'), format: STATION, logger: silentLogger(), readTags });
    await collect(mp3);
    expect(asked).toHaveLength(1);
  });

  it.each([
    ['mp3-with-id3-and-info-frame.mp3', STATION, 4.21],
    ['flac-48k-mono.flac', STATION, 3.33],
    ['aac-moov-at-end.m4a', LOW, 5],
    ['flac-48k-mono.flac', LOW, 3.33],
  ])('transcodes %s to %o', async (name, format, seconds) => {
    const stream = transcode({ input: fixture(name), format, logger: silentLogger() });
    const { frames } = await collect(stream);
    expectFormat(frames, format);
    const decoded = await decodeMp3(Buffer.concat(frames.map((frame) => frame.bytes)));
    expect(decoded.errors).toEqual([]);
    expect(Math.abs(decoded.durationSec - seconds)).toBeLessThan(0.06);
    // The song's length at the station's rate, to the sample (± resampler rounding), AAC padding excluded.
    const { encodedSamples, sourcePaddingSamples } = stream.summary!;
    expect(Math.abs(encodedSamples - sourcePaddingSamples - seconds * format.sampleRate)).toBeLessThanOrEqual(2);
  });

  it('streams an http URL, seeking for an index at the end of the file', async () => {
    const path = fixture('aac-moov-at-end.m4a');
    const size = (await stat(path)).size;
    let rangeRequests = 0;
    // A CDN stand-in that honours Range requests, which ffmpeg needs to reach the moov box.
    const server: Server = createServer((request, response) => {
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      if (!range) {
        response.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes', 'content-type': 'audio/mp4' });
        createReadStream(path).pipe(response);
        return;
      }
      rangeRequests += 1;
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : size - 1;
      response.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
      createReadStream(path, { start, end }).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/song.m4a?vkey=secret`;
      const stream = transcode({ input: url, format: STATION, logger: silentLogger() });
      expect(stream.input).not.toContain('secret');
      const { frames } = await collect(stream);
      expect(rangeRequests).toBeGreaterThan(0);
      const decoded = await decodeMp3(Buffer.concat(frames.map((frame) => frame.bytes)));
      expect(decoded.errors).toEqual([]);
      expect(Math.abs(decoded.durationSec - 5)).toBeLessThan(0.06);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails an undecodable file quickly with a TranscodeError carrying the exit code and stderr', async () => {
    const { error, frames, ms } = await failure(transcode({ input: fixture('corrupt.m4a'), format: STATION, logger: silentLogger() }));
    expect(error).toBeInstanceOf(TranscodeError);
    const transcodeError = error as TranscodeError;
    expect(frames).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(transcodeError.code).toBe('ERR_TRANSCODE');
    expect(transcodeError.exitCode).not.toBe(0);
    expect(transcodeError.exitCode).not.toBeNull();
    expect(transcodeError.stderrTail.length).toBeGreaterThan(0);
    expect(transcodeError.message).toContain(fixture('corrupt.m4a'));
    expect(transcodeError.message).toMatch(/Invalid data|moov atom not found/);
    expect(transcodeError.message).not.toContain('\n');
  });

  it('fails a missing file with a TranscodeError that says so', async () => {
    const { error } = await failure(transcode({ input: fixture('nowhere.m4a'), format: STATION, logger: silentLogger() }));
    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as TranscodeError).message).toBe(`cannot transcode ${fixture('nowhere.m4a')}: No such file or directory (ffmpeg exit code 1)`);
  });

  it.each([
    ['aac-faststart-truncated.m4a', 3],
    ['mp3-truncated.mp3', 4.21 / 2],
  ])('plays the valid part of %s and ends normally', async (name, seconds) => {
    const stream = transcode({ input: fixture(name), format: STATION, logger: silentLogger() });
    const { frames } = await collect(stream);
    expectFormat(frames, STATION);
    const decoded = await decodeMp3(Buffer.concat(frames.map((frame) => frame.bytes)));
    expect(decoded.errors).toEqual([]);
    expect(Math.abs(decoded.durationSec - seconds)).toBeLessThan(0.25);
  });

  it('fails an m4a cut before its index: there is no valid part to play', async () => {
    const { error, frames } = await failure(transcode({ input: fixture('aac-moov-at-end-truncated.m4a'), format: STATION, logger: silentLogger() }));
    expect(error).toBeInstanceOf(TranscodeError);
    expect(frames).toBe(0);
    expect((error as TranscodeError).stderrTail.join('\n')).toContain('moov atom not found');
  });

  it('refuses stdin and unknown options up front', () => {
    expect(() => transcode({ input: 'pipe:0', format: STATION, logger: silentLogger() })).toThrow(/neither a file path nor/);
    expect(() => transcode({ input: '-', format: STATION, logger: silentLogger() })).toThrow(/neither a file path nor/);
    expect(() => transcode({ input: 'a.m4a', format: { ...STATION, bitrateKbps: 100 }, logger: silentLogger() })).toThrow(/bitrate 100/);
    expect(() => transcode({ input: 'a.m4a', format: STATION, logger: silentLogger(), speed: 2 } as never)).toThrow(/unknown option/);
  });
});

/** Whether a process still runs (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
