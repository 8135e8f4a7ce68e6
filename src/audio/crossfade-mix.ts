import { ENCODER_DELAY_SAMPLES, framesCarryingSong, LEADING_FRAMES_DROPPED } from './gapless.js';
import { SAMPLES_PER_FRAME } from './mpeg1.js';

/**
 * Where a crossfade cuts two songs and how it mixes them, sample by sample: pure arithmetic on PCM decoded
 * from the songs' own frames, so the frames around the join are played untouched.
 *
 * The join, with F = 1152 samples per frame: song A plays its frames up to tail frame `keepTailFrames`, then
 * the re-encoded segment P (A fading out, B fading in), then song B from its frame `dropHeadFrames` on.
 * Alignment follows the gapless model (gapless.ts): a decoder outputs the content of frame k of an encode
 * 1105 samples (encoder delay 576 + decoder delay 529) late, the last 529 of them in the next frame's output.
 * - A's tail frames decoded in a row give `tailPcm`, whose frame t output is what a listener would hear after
 *   A's frame t-1. The segment, a fresh encode whose first frame is dropped, plays P[47 + i] there (F - 1105
 *   = -47), so P[j] = tailPcm[t·F - 47 + j]: P continues A where its kept frames stop.
 * - At the far end P's frames carry P up to L = K·F - 576 (K frames encoded, the first dropped): the MDCT
 *   overlap hands the listener on to B's frame H, whose output is headPcm[H·F + i]; so P's last sample is
 *   headPcm[H·F + 528]: B's part of P ends 529 samples into B's frame H.
 * - P's length must be exactly K·F - 576 for some K so that no padding plays at its end: B's part starts up
 *   to a frame later to make it so (at the start of a fade-in, where B is all but inaudible).
 */

const F = SAMPLES_PER_FRAME;
/** A decoder's own delay: a frame's last samples come out with the next frame. */
const DECODER_DELAY_SAMPLES = 529;
/** P's first kept frame plays P from this sample on (its first frame, dropped, held the encoder delay). */
const SEGMENT_LEAD_SAMPLES = LEADING_FRAMES_DROPPED * F - ENCODER_DELAY_SAMPLES - DECODER_DELAY_SAMPLES;
/**
 * The first granule decoded after a cut overlaps what came before it, not what the song had: B's first
 * samples in the decode are a ramp mixed with A's last granule, so B's part starts after them.
 */
const FIRST_GRANULE_SAMPLES = F / 2;
/** Below this level (dBFS, sample peak) a song's intro or outro counts as silence and is trimmed before the fade. */
export const SILENCE_THRESHOLD_DB = -50;
const SILENCE_PEAK = Math.round(32767 * 10 ** (SILENCE_THRESHOLD_DB / 20));
/** Silence trimmed from one song's end or start at most: a long silent gap is the song's, not a join's. */
export const MAX_SILENCE_TRIM_SECONDS = 5;
/** A crossfade shorter than this is not worth a re-encode: the songs join gaplessly instead. */
export const MIN_OVERLAP_SECONDS = 0.25;

/** What a crossfade of `overlapSeconds` needs of each song, in frames (trim allowance and alignment slack included). */
export function crossfadeFrames(overlapSeconds: number, sampleRate: number): { tail: number; head: number } {
  const needed = Math.ceil(((overlapSeconds + MAX_SILENCE_TRIM_SECONDS) * sampleRate) / F);
  return { tail: needed + 2, head: needed + 3 };
}

/** The two sides as decoded in one run: A's tail frames, then B's head frames, interleaved 16-bit PCM. */
export interface DecodedSides {
  readonly pcm: Int16Array;
  readonly channels: number;
  readonly sampleRate: number;
  readonly tailFrames: number;
  readonly headFrames: number;
}

export interface CrossfadePlan {
  /** A's tail frames played as they are, from the first. */
  readonly keepTailFrames: number;
  /** B's head frames the segment replaces: B plays on from this one. */
  readonly dropHeadFrames: number;
  /** Samples (per channel) A and B overlap in P. */
  readonly overlapSamples: number;
  /** Silence trimmed from A's end and from B's start, in samples per channel. */
  readonly trimmedTail: number;
  readonly trimmedLead: number;
  /** P's length in samples per channel, and where in P each side starts and ends. */
  readonly length: number;
  readonly tailStart: number;
  readonly tailLength: number;
  readonly headStart: number;
}

/** Where to cut and how long to overlap; undefined when the songs are too short (or silent) for one. */
export function planCrossfade(sides: DecodedSides, overlapSeconds: number): CrossfadePlan | undefined {
  const { tailFrames, headFrames, sampleRate } = sides;
  const maxTrim = Math.round(MAX_SILENCE_TRIM_SECONDS * sampleRate);
  const tailEnd = tailFrames * F;
  const trimmedTail = silentRun(sides, tailEnd - 1, -1, Math.max(FIRST_GRANULE_SAMPLES, tailEnd - maxTrim));
  const aEnd = tailEnd - trimmedTail;
  const headFrom = tailEnd + FIRST_GRANULE_SAMPLES;
  const lead = silentRun(sides, headFrom, 1, Math.min(headFrom + maxTrim, tailEnd + headFrames * F));
  let overlap = Math.round(overlapSeconds * sampleRate);
  // A: P starts 47 samples before tail frame t's output; t ≥ 1 keeps the first tail frame as the decode's primer.
  overlap = Math.min(overlap, aEnd - (F - SEGMENT_LEAD_SAMPLES));
  // B: its part must hold the overlap and a frame more (room to make P's length exact), ending in frame H ≤ last.
  const bFrom = FIRST_GRANULE_SAMPLES + lead;
  overlap = Math.min(overlap, (headFrames - 1) * F + DECODER_DELAY_SAMPLES - bFrom - F);
  if (overlap < MIN_OVERLAP_SECONDS * sampleRate) return undefined;
  const keepTailFrames = Math.floor((aEnd - overlap + SEGMENT_LEAD_SAMPLES) / F);
  const dropHeadFrames = Math.ceil((overlap + F + bFrom - DECODER_DELAY_SAMPLES) / F);
  const tailStart = keepTailFrames * F - SEGMENT_LEAD_SAMPLES;
  const tailLength = aEnd - tailStart;
  const headEnd = dropHeadFrames * F + DECODER_DELAY_SAMPLES;
  const untrimmed = tailLength + (headEnd - bFrom) - overlap;
  // P must end on a frame's worth of content: shorten B's part at its start, inside the fade-in.
  const excess = mod(untrimmed + ENCODER_DELAY_SAMPLES, F);
  const headStart = bFrom + excess;
  return {
    keepTailFrames,
    dropHeadFrames,
    overlapSamples: overlap,
    trimmedTail,
    trimmedLead: lead,
    length: untrimmed - excess,
    tailStart,
    tailLength,
    headStart,
  };
}

/** P: A's part at full level, then the overlap with equal-power curves (no dip for unrelated songs), then B's part. */
export function mixCrossfade(sides: DecodedSides, plan: CrossfadePlan): Int16Array {
  const { pcm, channels, tailFrames } = sides;
  const out = new Int16Array(plan.length * channels);
  const overlapStart = plan.tailLength - plan.overlapSamples;
  const headBase = tailFrames * F + plan.headStart - overlapStart;
  for (let j = 0; j < plan.length; j += 1) {
    const x = (j - overlapStart + 0.5) / plan.overlapSamples;
    const fadeOut = x <= 0 ? 1 : x >= 1 ? 0 : Math.cos((Math.PI / 2) * x);
    const fadeIn = x <= 0 ? 0 : x >= 1 ? 1 : Math.sin((Math.PI / 2) * x);
    for (let channel = 0; channel < channels; channel += 1) {
      const a = j < plan.tailLength ? pcm[(plan.tailStart + j) * channels + channel]! : 0;
      const b = j >= overlapStart ? pcm[(headBase + j) * channels + channel]! : 0;
      out[j * channels + channel] = Math.max(-32768, Math.min(32767, Math.round(a * fadeOut + b * fadeIn)));
    }
  }
  return out;
}

/**
 * The segment's frames as the listener should get them: the encode's first frame (the encoder's delay) and
 * its padding dropped, then split where the overlap is half done, so the title changes there. `encoded` is
 * every frame the encoder gave for P.
 */
export function segmentFrames<T>(encoded: readonly T[], plan: CrossfadePlan): { outgoing: T[]; incoming: T[] } {
  const kept = encoded.slice(LEADING_FRAMES_DROPPED, framesCarryingSong(plan.length));
  const midpoint = plan.tailLength - plan.overlapSamples + Math.floor(plan.overlapSamples / 2);
  const split = Math.max(0, Math.min(kept.length, Math.round((midpoint - SEGMENT_LEAD_SAMPLES) / F)));
  return { outgoing: kept.slice(0, split), incoming: kept.slice(split) };
}

/** Samples per channel from `from`, stepping by `step`, before one louder than SILENCE_PEAK (stops at `limit`). */
function silentRun(sides: DecodedSides, from: number, step: 1 | -1, limit: number): number {
  const { pcm, channels } = sides;
  let count = 0;
  for (let index = from; step > 0 ? index < limit : index >= limit; index += step) {
    for (let channel = 0; channel < channels; channel += 1) {
      if (Math.abs(pcm[index * channels + channel]!) > SILENCE_PEAK) return count;
    }
    count += 1;
  }
  return count;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
