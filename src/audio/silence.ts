import { AudioOptionError } from './errors.js';
import { frameBytes, streamFormatProblem, type StreamFormat } from './format.js';
import type { Mp3Frame } from './frame.js';
import { frameBytesTimesSampleRate, mpeg1BitrateIndex, mpeg1SampleRateIndex, SAMPLES_PER_FRAME } from './mpeg1.js';

/** Channel mode bits: joint stereo is what libmp3lame writes for stereo, so silence looks like the songs. */
const CHANNEL_MODE_BITS = { 1: 0b11, 2: 0b01 } as const;

/**
 * Digital silence in exactly the station's format, built without an encoder (it costs nothing at start-up,
 * when the mount must come up at once). Each frame's side information is all zeros: main_data_begin 0
 * (borrows no bits from a neighbour) and part2_3_length 0 (no scale factors, no Huffman data), which every
 * decoder turns into 1152 zero samples. Frames alternate padding the way an encoder does, so a stream of
 * silence has exactly the nominal bitrate (417 or 418 bytes at 128 kb/s and 44.1 kHz).
 */
export class SilentFrames {
  private readonly plain: Mp3Frame;
  private readonly padded: Mp3Frame;
  /** Bytes per frame as an exact fraction: numerator over the sample rate. */
  private readonly bytesNumerator: number;
  private readonly sampleRate: number;
  private remainder = 0;

  constructor(format: StreamFormat) {
    const problem = streamFormatProblem(format);
    if (problem) throw new AudioOptionError(`silence: ${problem}`);
    this.sampleRate = format.sampleRate;
    this.bytesNumerator = frameBytesTimesSampleRate(SAMPLES_PER_FRAME, format.bitrateKbps);
    this.plain = silentFrame(format, false);
    this.padded = silentFrame(format, true);
  }

  /** The next silent frame; the caller must not modify its bytes (they are shared). */
  next(): Mp3Frame {
    // Same rule as the encoder: pad whenever the fractional bytes owed add up to one.
    this.remainder += this.bytesNumerator % this.sampleRate;
    if (this.remainder < this.sampleRate) return this.plain;
    this.remainder -= this.sampleRate;
    return this.padded;
  }
}

function silentFrame(format: StreamFormat, padded: boolean): Mp3Frame {
  const length = frameBytes(format, padded);
  const bytes = Buffer.alloc(length);
  bytes[0] = 0xff;
  // MPEG-1 (0b11), Layer III (0b01), no CRC (1).
  bytes[1] = 0xfb;
  // The constructor checked the format, so both indexes exist.
  bytes[2] = (mpeg1BitrateIndex(format.bitrateKbps)! << 4) | (mpeg1SampleRateIndex(format.sampleRate)! << 2) | (padded ? 0b10 : 0);
  bytes[3] = CHANNEL_MODE_BITS[format.channels] << 6;
  // Side information (17 bytes mono, 32 stereo) and main data stay zero: see SilentFrames.
  return { bytes, samples: SAMPLES_PER_FRAME };
}
