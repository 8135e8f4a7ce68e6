import { frameLengthBytes, MPEG1_BITRATES_KBPS, MPEG1_SAMPLE_RATES, mpeg1BitrateIndex, mpeg1SampleRateIndex, SAMPLES_PER_FRAME } from './mpeg1.js';

/** Mono or stereo: what libmp3lame's MPEG-1 modes carry. */
export const STREAM_CHANNELS = [1, 2] as const;

/**
 * The fixed MP3 format of one station's stream. Every piece of the stream (each song and the
 * keepalive silence) is encoded in exactly this format, or some players glitch at the boundary.
 */
export interface StreamFormat {
  /** Constant bitrate in kb/s. */
  readonly bitrateKbps: number;
  /** Samples per second per channel. */
  readonly sampleRate: number;
  /** 1 (mono) or 2 (stereo). */
  readonly channels: (typeof STREAM_CHANNELS)[number];
}

export const DEFAULT_STREAM_FORMAT: StreamFormat = Object.freeze({
  bitrateKbps: 128,
  sampleRate: 44100,
  channels: 2,
});

/** Duration of one frame in microseconds (26122 µs at 44.1 kHz). */
export function frameDurationUs(format: StreamFormat): number {
  return (SAMPLES_PER_FRAME * 1_000_000) / format.sampleRate;
}

/** Nominal stream bytes per second, what a listener should receive on average. */
export function bytesPerSecond(format: StreamFormat): number {
  return (format.bitrateKbps * 1000) / 8;
}

/** Length of one of the stream's frames, with or without the padding byte (CBR frames alternate). */
export function frameBytes(format: StreamFormat, padded: boolean): number {
  return frameLengthBytes(SAMPLES_PER_FRAME, format.bitrateKbps, format.sampleRate, padded);
}

export function describeFormat(format: StreamFormat): string {
  return `${format.bitrateKbps} kb/s, ${format.sampleRate} Hz, ${format.channels === 2 ? 'stereo' : 'mono'}`;
}

export function formatKey(format: StreamFormat): string {
  return `mp3-${format.bitrateKbps}k-${format.sampleRate}-${format.channels}ch`;
}

/** Why libmp3lame cannot encode this as MPEG-1 Layer III CBR, or undefined when it can. */
export function streamFormatProblem(format: StreamFormat): string | undefined {
  if (mpeg1BitrateIndex(format.bitrateKbps) === undefined) {
    return `invalid bitrate ${format.bitrateKbps} kb/s: expected one of ${MPEG1_BITRATES_KBPS.join(', ')}`;
  }
  if (mpeg1SampleRateIndex(format.sampleRate) === undefined) {
    return `invalid sample rate ${format.sampleRate} Hz: expected one of ${MPEG1_SAMPLE_RATES.join(', ')}`;
  }
  if (!STREAM_CHANNELS.includes(format.channels)) return `invalid channels ${String(format.channels)}: expected ${STREAM_CHANNELS.join(' or ')}`;
  return undefined;
}

/** Whole frames that hold at least `seconds` of audio. */
export function framesInSeconds(format: StreamFormat, seconds: number): number {
  return Math.ceil((seconds * format.sampleRate) / SAMPLES_PER_FRAME);
}
