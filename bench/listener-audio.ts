import { decodePcm } from '../test/support/decode.js';
import type { ReceivedChunk } from '../test/support/listener.js';
import { wholeFrames } from '../test/support/whole-frames.js';

/** An MP3 frame holds 1152 samples per channel (MPEG-1 Layer III). */
const SAMPLES_PER_FRAME = 1152;
/** Quieter than this counts as silence: -50 dBFS, the level the boundary check uses too. */
const SILENCE_AMPLITUDE = 10 ** (-50 / 20);

export interface FirstMusic {
  /** Seconds into the audio the listener received (from its first whole frame). */
  readonly audioSec: number;
  /** performance.now() when the frame holding the first non-silent sample had fully arrived. */
  readonly arrivedAt: number;
}

/**
 * When the first music reached a listener: decodes what it received with ffmpeg (from the first whole
 * frame: the listener may join mid-frame), finds the first sample above -50 dBFS, and maps its frame back
 * to the byte that completed it and the chunk that brought that byte. CBR, so frame k ends at
 * (k + 1) × bytesPerFrame after the first whole frame, to within one byte of padding.
 */
export async function firstMusic(
  audio: Buffer,
  chunks: readonly ReceivedChunk[],
  format: { bitrateKbps: number; sampleRate: number },
): Promise<FirstMusic | undefined> {
  const whole = await wholeFrames(audio);
  if (whole.length === 0) return undefined;
  const leading = audio.indexOf(whole.subarray(0, Math.min(32, whole.length)));
  const pcm = await decodePcm(whole, format.sampleRate);
  const index = pcm.findIndex((sample) => Math.abs(sample) > SILENCE_AMPLITUDE);
  if (index < 0) return undefined;
  const bytesPerFrame = (SAMPLES_PER_FRAME * format.bitrateKbps * 125) / format.sampleRate;
  const frame = Math.floor(index / SAMPLES_PER_FRAME);
  const lastByte = Math.max(0, leading) + Math.ceil((frame + 1) * bytesPerFrame);
  let received = 0;
  for (const chunk of chunks) {
    received += chunk.bytes;
    if (received >= lastByte) return { audioSec: index / format.sampleRate, arrivedAt: chunk.at };
  }
  return undefined;
}
