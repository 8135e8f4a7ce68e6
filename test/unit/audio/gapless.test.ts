import { describe, expect, it } from 'vitest';
import type { Mp3Frame } from '../../../src/audio/index.js';
import { framesCarryingSong, GaplessTrimmer, PADDING_TOLERANCE_SAMPLES, TRAILING_FRAMES_HELD } from '../../../src/audio/gapless.js';

const FRAME = 1152;

/** Frames libmp3lame emits for a song of `samples` samples (measured: ceil((S + 1105) / 1152)). */
const framesEncodedFor = (samples: number): number => Math.ceil((samples + 1105) / FRAME);

/** Padding left at the join (> 0) or song samples cut (< 0) when the first `kept` frames are played. */
const paddingAtJoin = (samples: number, kept: number): number => kept * FRAME - 576 - samples;

const frames = (count: number): Mp3Frame[] =>
  Array.from({ length: count }, (_, i) => ({ bytes: Buffer.from([i & 0xff, i >> 8]), samples: FRAME }));

function trim(samples: number, encoded = framesEncodedFor(samples)): number[] {
  const trimmer = new GaplessTrimmer();
  const out: Mp3Frame[] = [];
  for (const frame of frames(encoded)) {
    const released = trimmer.accept(frame);
    if (released) out.push(released);
  }
  out.push(...trimmer.finish(samples));
  return out.map((frame) => frame.bytes[0]! | (frame.bytes[1]! << 8));
}

describe('framesCarryingSong', () => {
  it.each([
    // Measured joins (sine tones, 44.1 kHz, ffmpeg decode + silencedetect -50 dB / 2 ms).
    [64500, 56], // 57 encoded; keeping 57 left 588 samples of padding = 9.6 ms of silence
    [132741, 115], // 3.01 s: 117 encoded; 116 would leave 315 samples, heard as 2.1 ms of silence
    [60000, 52], // 54 encoded; 53 leaves 480 samples = 2.8 ms of silence
    [201537, 175], // 4.57 s
    [342657, 298], // 7.77 s
  ])('keeps %i samples in the first %i frames', (samples, kept) => {
    expect(framesCarryingSong(samples)).toBe(kept);
  });

  it('never leaves more padding than the tolerance, and never cuts a whole frame of song', () => {
    for (let samples = 1152 * 40; samples < 1152 * 43; samples += 1) {
      const padding = paddingAtJoin(samples, framesCarryingSong(samples));
      expect(padding).toBeLessThanOrEqual(PADDING_TOLERANCE_SAMPLES);
      expect(padding).toBeGreaterThan(PADDING_TOLERANCE_SAMPLES - FRAME);
    }
  });

  it('drops 1 or 2 trailing frames of encoder padding, never more than it holds back', () => {
    const drops = new Set<number>();
    for (let samples = 1152 * 40; samples < 1152 * 43; samples += 1) drops.add(framesEncodedFor(samples) - framesCarryingSong(samples));
    expect([...drops].sort()).toEqual([1, 2]);
    expect(Math.max(...drops)).toBeLessThanOrEqual(TRAILING_FRAMES_HELD);
  });
});

describe('GaplessTrimmer', () => {
  it('drops the first frame and the trailing frames that hold only padding', () => {
    // 64500 samples: 57 frames encoded, frames 1..55 carry the song.
    expect(trim(64500)).toEqual(Array.from({ length: 55 }, (_, i) => i + 1));
  });

  it('releases frames as they come, holding back only the last few', () => {
    const trimmer = new GaplessTrimmer();
    const released = frames(20).map((frame) => trimmer.accept(frame)).filter(Boolean);
    expect(released).toHaveLength(20 - 1 - TRAILING_FRAMES_HELD);
  });

  it('gives nothing for a song shorter than the encoder delay', () => {
    expect(trim(100)).toEqual([]);
  });

  it('keeps everything but the first frame when the encode fails (padding unknown)', () => {
    const trimmer = new GaplessTrimmer();
    const out = frames(10).flatMap((frame) => trimmer.accept(frame) ?? []);
    out.push(...trimmer.abandon());
    expect(out).toHaveLength(9);
  });

  it('treats source padding like encoder padding: fewer song samples, more frames dropped', () => {
    // 133120 samples decoded from an m4a that declares 132741: 379 samples of AAC padding.
    expect(trim(133120 - 379, framesEncodedFor(133120))).toHaveLength(framesCarryingSong(132741) - 1);
  });
});
