import type { FfprobeData } from 'fluent-ffmpeg';

/**
 * AAC in MP4 (m4a) ends with decoder padding: the last AAC frame is filled up to 1024 samples, and the
 * file's edit list says where the song really ends. ffmpeg 5.1 trims the start of the edit list but not
 * its end, so it decodes up to ~1024 samples too many (measured: a 3.01 s tone of 132741 samples decodes
 * to 133120, the extra 379 at about -54 dBFS). At a join they would play as up to 23 ms of silence. The
 * gapless trim treats them as padding instead, knowing the declared length from ffprobe.
 */

/** The length a container declares for its first audio stream, when it is trustworthy to the sample. */
export interface DeclaredLength {
  readonly samples: number;
  readonly sampleRate: number;
}

/** Two AAC frames: more decoded than declared means the declaration is not about padding. */
export const MAX_SOURCE_PADDING_SAMPLES = 2048;

/** The declared length of AAC in an MP4/M4A container (from its edit list); undefined for anything else. */
export function declaredLength(probe: FfprobeData): DeclaredLength | undefined {
  if (!/\bmp4\b|\bmov\b|\bm4a\b/.test(String(probe.format.format_name ?? ''))) return undefined;
  const stream = probe.streams.find((candidate) => candidate.codec_type === 'audio');
  if (!stream || stream.codec_name !== 'aac') return undefined;
  const sampleRate = Number(stream.sample_rate);
  const durationTs = Number(stream.duration_ts);
  const timeBase = /^(\d+)\/(\d+)$/.exec(String(stream.time_base ?? ''));
  if (!timeBase || !(sampleRate > 0) || !(durationTs > 0)) return undefined;
  const samples = Math.round((durationTs * Number(timeBase[1]) * sampleRate) / Number(timeBase[2]));
  return Number.isFinite(samples) && samples > 0 ? { samples, sampleRate } : undefined;
}

/**
 * Samples at the output rate at the end of a decode that are source padding: what the decoder produced
 * beyond the declared length, when that is a plausible padding (0..MAX_SOURCE_PADDING_SAMPLES).
 */
export function sourcePaddingSamples(decodedSamples: number, declared: DeclaredLength | undefined, outputSampleRate: number): number {
  if (!declared) return 0;
  const extra = decodedSamples - declared.samples;
  if (extra <= 0 || extra > MAX_SOURCE_PADDING_SAMPLES) return 0;
  return Math.round((extra * outputSampleRate) / declared.sampleRate);
}
