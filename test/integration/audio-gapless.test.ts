import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SilentFrames, transcode, type Mp3Frame, type StreamFormat } from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeMp3, decodePcm, dominantTone, type Silence } from '../support/decode.js';
import { makeTone, type ToneOptions } from '../support/fixtures.js';
import { readFrames } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

/** The most silence a listener may hear where one song hands over to the next. */
const MAX_JOIN_SILENCE_SEC = 0.005;

type Song = Omit<ToneOptions, 'path'> & { readonly name: string };

/** Odd lengths, so every song ends at a different place inside its last frame. */
const SONGS: readonly Song[] = [
  { name: 'flac-3.01s.flac', seconds: 3.01, frequency: 440, format: 'flac' },
  { name: 'flac-4.57s.flac', seconds: 4.57, frequency: 660, format: 'flac' },
  { name: 'flac-7.77s.flac', seconds: 7.77, frequency: 550, format: 'flac' },
  { name: 'flac-48k-mono-3.33s.flac', seconds: 3.33, frequency: 880, format: 'flac', sampleRate: 48000, channels: 1 },
  { name: 'aac-moov-at-end-5.03s.m4a', seconds: 5.03, frequency: 440, format: 'm4a' },
  { name: 'mp3-2.71s.mp3', seconds: 2.71, frequency: 660, format: 'mp3' },
  { name: 'aac-48k-4.44s.m4a', seconds: 4.44, frequency: 550, format: 'm4a', sampleRate: 48000 },
  { name: 'flac-1.23s.flac', seconds: 1.23, frequency: 880, format: 'flac' },
];

/** Songs ending at 12 evenly spread places inside their last frame (steps of 96 samples at 44.1 kHz). */
const SWEEP: readonly Song[] = Array.from({ length: 12 }, (_, i) => ({
  name: `flac-sweep-${i}.flac`,
  seconds: (44100 + 17 + i * 96) / 44100,
  frequency: i % 2 === 0 ? 440 : 660,
  format: 'flac' as const,
}));

let temp: { dir: string; remove: () => Promise<void> };

async function framesOf(song: Song, format: StreamFormat): Promise<Mp3Frame[]> {
  return readFrames(transcode({ input: join(temp.dir, song.name), format, logger: silentLogger() }));
}

interface Joined {
  readonly bytes: Buffer;
  /** Where each song after the first starts, in seconds of decoded audio. */
  readonly boundaries: number[];
  /** Where each song starts and ends. */
  readonly spans: { start: number; end: number; frequency: number }[];
}

async function playBackToBack(songs: readonly Song[], format: StreamFormat): Promise<Joined> {
  const perSong = await Promise.all(songs.map((song) => framesOf(song, format)));
  const frameSec = 1152 / format.sampleRate;
  let at = 0;
  const spans = perSong.map((frames, i) => {
    const span = { start: at, end: at + frames.length * frameSec, frequency: songs[i]!.frequency };
    at = span.end;
    return span;
  });
  return { bytes: Buffer.concat(perSong.flat().map((frame) => frame.bytes)), boundaries: spans.slice(1).map((span) => span.start), spans };
}

/** Silences except the decoder's start-up (a cold decoder's first ~10 ms) and the stream's very end. */
function innerSilences(silences: Silence[], durationSec: number): Silence[] {
  return silences.filter((silence) => silence.start > 0.02 && silence.end < durationSec - 0.02);
}

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-gapless');
  await Promise.all([...SONGS, ...SWEEP].map((song) => makeTone({ ...song, path: join(temp.dir, song.name) })));
});

afterAll(async () => {
  await temp?.remove();
});

describe('gapless joins', () => {
  it.each([
    [{ bitrateKbps: 128, sampleRate: 44100, channels: 2 } as StreamFormat],
    [{ bitrateKbps: 64, sampleRate: 48000, channels: 1 } as StreamFormat],
  ])('songs played back to back in %o leave at most 5 ms of silence at every join', async (format) => {
    const joined = await playBackToBack(SONGS, format);
    const decoded = await decodeMp3(joined.bytes);

    expect(decoded.errors).toEqual([]);
    const inner = innerSilences(decoded.silences, decoded.durationSec);
    const atJoins = inner.filter((silence) => joined.boundaries.some((at) => silence.start < at + 0.05 && silence.end > at - 0.05));
    const maxJoinSilence = Math.max(0, ...atJoins.map((silence) => silence.duration));
    console.info(`${format.bitrateKbps}k/${format.sampleRate}/${format.channels}ch: ${joined.boundaries.length} joins, silences at joins: ${JSON.stringify(atJoins)}, max ${(maxJoinSilence * 1000).toFixed(2)} ms`);
    expect(maxJoinSilence).toBeLessThanOrEqual(MAX_JOIN_SILENCE_SEC);
    // And no silence anywhere else either: the trim cut no hole inside a song.
    expect(inner.filter((silence) => !atJoins.includes(silence))).toEqual([]);

    // Each song plays in its place: at the middle of every span its own tone dominates.
    const pcm = await decodePcm(joined.bytes, format.sampleRate);
    const candidates = [...new Set(SONGS.map((song) => song.frequency))];
    for (const span of joined.spans) {
      const middle = Math.round(((span.start + span.end) / 2) * format.sampleRate);
      const window = pcm.subarray(middle - 2048, middle + 2048);
      expect(dominantTone(window, format.sampleRate, candidates)).toBe(span.frequency);
    }

    // Trimming took at most a frame and a bit from each song: the decoded total is the songs' total.
    const expectedSec = SONGS.reduce((sum, song) => sum + song.seconds, 0);
    expect(decoded.durationSec).toBeGreaterThan(expectedSec - SONGS.length * 0.05);
    expect(decoded.durationSec).toBeLessThan(expectedSec + 0.03);
  });

  it('leaves no silence wherever a song ends inside its last frame', async () => {
    const format: StreamFormat = { bitrateKbps: 128, sampleRate: 44100, channels: 2 };
    const joined = await playBackToBack(SWEEP, format);
    const decoded = await decodeMp3(joined.bytes);
    expect(decoded.errors).toEqual([]);
    const inner = innerSilences(decoded.silences, decoded.durationSec);
    console.info(`sweep: ${joined.boundaries.length} joins, silences: ${JSON.stringify(inner)}`);
    expect(Math.max(0, ...inner.map((silence) => silence.duration))).toBeLessThanOrEqual(MAX_JOIN_SILENCE_SEC);
  });

  it('joins a song to silence frames and back without decode errors', async () => {
    const format: StreamFormat = { bitrateKbps: 128, sampleRate: 44100, channels: 2 };
    const [first, second] = await Promise.all([framesOf(SONGS[0]!, format), framesOf(SONGS[1]!, format)]);
    const silence = new SilentFrames(format);
    const bytes = Buffer.concat([...first!, ...Array.from({ length: 40 }, () => silence.next()), ...second!].map((frame) => frame.bytes));
    const decoded = await decodeMp3(bytes);
    expect(decoded.errors).toEqual([]);
    const inner = innerSilences(decoded.silences, decoded.durationSec);
    // Exactly one silence: the 40 frames (1.04 s), give or take the joins' cross-fades.
    expect(inner).toHaveLength(1);
    expect(inner[0]!.duration).toBeGreaterThan(40 * 0.0261 - 0.03);
    expect(inner[0]!.duration).toBeLessThan(40 * 0.0261 + 0.03);
  });
});
