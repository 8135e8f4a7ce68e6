import type { Mp3Frame } from './frame.js';
import { SAMPLES_PER_FRAME } from './mpeg1.js';

/**
 * libmp3lame's encoder delay: the song's first sample sits this far into the first frame
 * (LAME's ENCDELAY; ffmpeg reports "delay 1105" = this + the decoder's 529 samples).
 */
export const ENCODER_DELAY_SAMPLES = 576;

/**
 * Frames dropped at the start of every song. With `-reservoir 0` frame 0 holds the encoder delay and
 * only 47 samples of the song, and no later frame borrows bits from it, so it can go.
 */
export const LEADING_FRAMES_DROPPED = 1;

/**
 * Padding a join may leave between two songs, in samples. Measured (sine tones, 32/44.1/48 kHz, mono and
 * stereo, 64 and 128 kb/s, ffmpeg decode + silencedetect -50 dB / 2 ms): up to ~250 samples of padding
 * disappear in the MDCT overlap of the join; 272 gave 3.1-3.5 ms of silence, 368 up to 8.3 ms, a whole
 * frame ~22 ms. 192 keeps every measured join free of silence.
 */
export const PADDING_TOLERANCE_SAMPLES = 192;

/**
 * Frames held back until the encode ends, because only then is it known whether they are padding:
 * 1 or 2 trailing frames are dropped for the encoder's own padding (N - K below), plus up to 2 more
 * when the source brought its own (AAC decoder padding, at most 2048 samples, see transcoder.ts).
 */
export const TRAILING_FRAMES_HELD = 4;

/**
 * How many frames, counted from the first frame of the encode, carry a song of `songSamples` samples
 * (per channel, at the output sample rate) — everything after them is dropped at the join.
 *
 * The arithmetic, with S = songSamples, F = 1152 samples per frame and D = 576 (encoder delay):
 * - The encoder places song sample s at position s + D of its output, and libmp3lame emits
 *   N = ceil((S + 1105) / F) frames (measured), padding the rest with silence.
 * - A decoder outputs frame k with a delay of 529 samples: its last 529 samples of frame k only come
 *   out while decoding frame k + 1. At a join, the next song's first kept frame plays that role, so the
 *   MDCT overlap carries the tail of the last kept frame (k = K - 1) into the next song and cross-fades
 *   it there. Keeping frames 0..K-1 therefore plays the song up to position K·F, i.e. song sample
 *   K·F - D; the rest, e(K) = K·F - D - S samples, is padding that plays as silence when e > 0, or song
 *   samples cut when e < 0.
 * - A padding of up to PADDING_TOLERANCE_SAMPLES is hidden by the cross-fade (measured, see above), so
 *   K is the largest count whose e(K) stays within it: K = floor((S + D + T) / F). This cuts at most
 *   F - T - 1 = 959 samples (22 ms at 44.1 kHz) of the song's very end, usually its fade-out, and
 *   leaves no silence a listener can hear. Keeping whole frames cannot do better: a join moves in
 *   steps of F samples.
 * - N - K = ceil((S + 1105) / F) - floor((S + 768) / F) is 1 or 2: the trailing frames dropped.
 *
 * Example (measured): S = 64500 (1.4626 s at 44.1 kHz) gives N = 57 frames; e(57) = 588 samples of
 * padding decoded as 9.6 ms of silence; K = 56 cuts 564 samples of tone and leaves no silence.
 */
export function framesCarryingSong(songSamples: number): number {
  return Math.floor((songSamples + ENCODER_DELAY_SAMPLES + PADDING_TOLERANCE_SAMPLES) / SAMPLES_PER_FRAME);
}

/**
 * Trims one song's frames, in encode order, for a gapless join with whatever plays before and after:
 * drops the leading frame(s), holds back the last TRAILING_FRAMES_HELD frames until the encode ends, then
 * releases those that carry the song. Pure bookkeeping: the sample count comes from the caller.
 */
export class GaplessTrimmer {
  private framesSeen = 0;
  private framesReleased = 0;
  private readonly held: Mp3Frame[] = [];

  /** The next frame of the encode in; the frame now known to be part of the song out, if any. */
  accept(frame: Mp3Frame): Mp3Frame | undefined {
    this.framesSeen += 1;
    if (this.framesSeen <= LEADING_FRAMES_DROPPED) return undefined;
    this.held.push(frame);
    if (this.held.length <= TRAILING_FRAMES_HELD) return undefined;
    this.framesReleased += 1;
    return this.held.shift();
  }

  /** The encode ended normally with `songSamples` samples per channel: the held frames that carry the song. */
  finish(songSamples: number): Mp3Frame[] {
    const keep = framesCarryingSong(songSamples) - LEADING_FRAMES_DROPPED - this.framesReleased;
    return this.release(Math.max(0, Math.min(this.held.length, keep)));
  }

  /** The encode failed or its length is unknown: every held frame, since nothing says which are padding. */
  abandon(): Mp3Frame[] {
    return this.release(this.held.length);
  }

  /** Frames of the encode seen so far, dropped ones included. */
  get framesEncoded(): number {
    return this.framesSeen;
  }

  private release(count: number): Mp3Frame[] {
    const frames = this.held.slice(0, count);
    this.held.length = 0;
    this.framesReleased += frames.length;
    return frames;
  }
}
