/**
 * The MPEG-1 Layer III numbers every station stream is made of (ISO/IEC 11172-3 2.4.2.3), kept in the
 * order the header encodes them so a table position is the header's index for that value.
 */

/** kb/s by bitrate_index 1..14 (0 is "free format" and 15 is forbidden; libmp3lame writes neither for CBR). */
export const MPEG1_BITRATES_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;

/** Hz by sampling_frequency index 0..2 (3 is reserved). */
export const MPEG1_SAMPLE_RATE_BY_INDEX = [44100, 48000, 32000] as const;

/** The same sample rates, lowest first, the way people list them. */
export const MPEG1_SAMPLE_RATES = [...MPEG1_SAMPLE_RATE_BY_INDEX].sort((a, b) => a - b) as readonly number[];

/** MPEG-1 Layer III frames always hold 1152 samples per channel. */
export const SAMPLES_PER_FRAME = 1152;

/** The bitrate_index a header carries for this bitrate, or undefined when MPEG-1 Layer III has none. */
export function mpeg1BitrateIndex(bitrateKbps: number): number | undefined {
  const position = (MPEG1_BITRATES_KBPS as readonly number[]).indexOf(bitrateKbps);
  return position === -1 ? undefined : position + 1;
}

/** The sampling_frequency index a header carries for this rate, or undefined when MPEG-1 has none. */
export function mpeg1SampleRateIndex(sampleRate: number): number | undefined {
  const index = (MPEG1_SAMPLE_RATE_BY_INDEX as readonly number[]).indexOf(sampleRate);
  return index === -1 ? undefined : index;
}

/**
 * Layer II/III bytes per frame times the sample rate (samples/8 × bitrate): kept as this integer so a
 * caller can count the fractional bytes an encoder owes exactly, without floating-point drift.
 */
export function frameBytesTimesSampleRate(samples: number, bitrateKbps: number): number {
  return (samples / 8) * bitrateKbps * 1000;
}

/**
 * Layer II/III frame length in bytes: samples/8 × bitrate / sample rate, rounded down, plus the padding
 * byte when set (a CBR encoder pads every few frames so the stream keeps its exact bitrate).
 */
export function frameLengthBytes(samples: number, bitrateKbps: number, sampleRate: number, padded: boolean): number {
  return Math.floor(frameBytesTimesSampleRate(samples, bitrateKbps) / sampleRate) + (padded ? 1 : 0);
}
