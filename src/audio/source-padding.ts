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

/** The parts of ffprobe's `-show_format -show_streams` output read here; every field may be missing. */
export interface ProbedContainer {
  readonly format?: { readonly format_name?: unknown } | undefined;
  readonly streams?: ReadonlyArray<{
    readonly codec_type?: unknown;
    readonly codec_name?: unknown;
    readonly sample_rate?: unknown;
    readonly duration_ts?: unknown;
    readonly time_base?: unknown;
  }>;
}

/** The declared length of AAC in an MP4/M4A container (from its edit list); undefined for anything else. */
export function declaredLength(probe: ProbedContainer): DeclaredLength | undefined {
  if (!isMp4Family(String(probe.format?.format_name ?? ''))) return undefined;
  const stream = probe.streams?.find((candidate) => candidate.codec_type === 'audio');
  if (!stream || stream.codec_name !== 'aac') return undefined;
  const sampleRate = Number(stream.sample_rate);
  const durationTs = Number(stream.duration_ts);
  const timeBase = /^(\d+)\/(\d+)$/.exec(String(stream.time_base ?? ''));
  if (!timeBase || !(sampleRate > 0) || !(durationTs > 0)) return undefined;
  const samples = Math.round((durationTs * Number(timeBase[1]) * sampleRate) / Number(timeBase[2]));
  return Number.isFinite(samples) && samples > 0 ? { samples, sampleRate } : undefined;
}

/** Whether a format name as ffmpeg prints it ("mov,mp4,m4a,3gp,3g2,mj2") is MP4's family, where AAC carries padding. */
export function isMp4Family(formatName: string): boolean {
  return /\bmp4\b|\bmov\b|\bm4a\b/.test(formatName);
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
