import { mixCrossfade, planCrossfade, segmentFrames, type CrossfadePlan } from './crossfade-mix.js';
import { decodeFrames, encodePcm, type CodecOptions } from './frame-codec.js';
import type { StreamFormat } from './format.js';
import type { Mp3Frame } from './frame.js';

/**
 * How two songs join with a crossfade: A plays `plan.keepTailFrames` of the tail frames given, then the
 * segment; B starts `plan.dropHeadFrames` frames in (see crossfade-mix.ts).
 */
export interface CrossfadeJoin {
  readonly plan: CrossfadePlan;
  /** The segment's first half: played as the end of A. */
  readonly outgoing: readonly Mp3Frame[];
  /** The segment's second half: played as the start of B, so B's title comes at the overlap's midpoint. */
  readonly incoming: readonly Mp3Frame[];
}

/**
 * The crossfade of A's last frames (`tail`, in the station's format, its last frame A's last) into B's first
 * (`head`): one ffmpeg decodes both, the overlap is mixed here, one ffmpeg encodes the segment. Undefined
 * when the songs are too short or silent for one; rejects with CrossfadeError when ffmpeg fails or is late.
 */
export async function buildCrossfade(
  tail: readonly Mp3Frame[],
  head: readonly Mp3Frame[],
  format: StreamFormat,
  overlapSeconds: number,
  options: CodecOptions = {},
): Promise<CrossfadeJoin | undefined> {
  const pcm = await decodeFrames([...tail, ...head], format, options);
  const sides = { pcm, channels: format.channels, sampleRate: format.sampleRate, tailFrames: tail.length, headFrames: head.length };
  const plan = planCrossfade(sides, overlapSeconds);
  if (!plan) return undefined;
  const encoded = await encodePcm(mixCrossfade(sides, plan), format, options);
  const { outgoing, incoming } = segmentFrames(encoded, plan);
  return { plan, outgoing, incoming };
}
