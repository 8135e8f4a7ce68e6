import { frameLengthBytes, MPEG1_BITRATES_KBPS, MPEG1_SAMPLE_RATE_BY_INDEX } from './mpeg1.js';

/**
 * The 4-byte header in front of every MPEG audio frame, read just far enough to check a frame
 * against the station's format and to recognise Xing/Info/VBRI frames.
 * Layout: ISO/IEC 11172-3 2.4.1.3 and 13818-3 (MPEG-2 low sample rates); the Xing tag's offset after
 * the side information is the one LAME writes (http://gabriel.mp3-tech.org/mp3infotag.html).
 */
export interface Mp3Header {
  readonly mpegVersion: 1 | 2 | 2.5;
  readonly layer: 1 | 2 | 3;
  readonly bitrateKbps: number;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  /** True when a 16-bit CRC follows the header. */
  readonly crcProtected: boolean;
  /** Whole frame length in bytes, header included. */
  readonly frameLength: number;
  /** Samples per channel the frame decodes to. */
  readonly samples: number;
}

const VERSION_BY_BITS: Record<number, 1 | 2 | 2.5 | undefined> = { 0: 2.5, 2: 2, 3: 1 };
const LAYER_BY_BITS: Record<number, 1 | 2 | 3 | undefined> = { 1: 3, 2: 2, 3: 1 };

/** kb/s by bitrate index (1..14); index 0 ("free") and 15 (invalid) are not accepted. */
const BITRATES_KBPS = {
  v1l1: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: MPEG1_BITRATES_KBPS,
  v2l1: [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;

/** Picked without building a key per call: the frame splitter parses two headers per frame. */
function bitrateTable(mpegVersion: 1 | 2 | 2.5, layer: 1 | 2 | 3): readonly number[] {
  if (mpegVersion === 1) return layer === 1 ? BITRATES_KBPS.v1l1 : layer === 2 ? BITRATES_KBPS.v1l2 : BITRATES_KBPS.v1l3;
  return layer === 1 ? BITRATES_KBPS.v2l1 : BITRATES_KBPS.v2l23;
}

const SAMPLE_RATES: Record<1 | 2 | 2.5, readonly number[]> = {
  1: MPEG1_SAMPLE_RATE_BY_INDEX,
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};

/** The header at `offset` of `bytes` (its start by default), or undefined when no valid one starts there. */
export function parseMp3Header(bytes: Uint8Array, offset = 0): Mp3Header | undefined {
  if (bytes.length - offset < 4) return undefined;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;

  const mpegVersion = VERSION_BY_BITS[(b1 >> 3) & 0b11];
  const layer = LAYER_BY_BITS[(b1 >> 1) & 0b11];
  const bitrateIndex = b2 >> 4;
  const sampleRateIndex = (b2 >> 2) & 0b11;
  if (mpegVersion === undefined || layer === undefined) return undefined;
  if (bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3) return undefined;

  const bitrateKbps = bitrateTable(mpegVersion, layer)[bitrateIndex - 1]!;
  const sampleRate = SAMPLE_RATES[mpegVersion][sampleRateIndex]!;
  const padding = (b2 >> 1) & 1;
  const channels = b3 >> 6 === 0b11 ? 1 : 2;

  let samples: number;
  let frameLength: number;
  if (layer === 1) {
    samples = 384;
    frameLength = (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + padding) * 4;
  } else {
    samples = layer === 3 && mpegVersion !== 1 ? 576 : 1152;
    frameLength = frameLengthBytes(samples, bitrateKbps, sampleRate, padding === 1);
  }

  return { mpegVersion, layer, bitrateKbps, sampleRate, channels, crcProtected: (b1 & 1) === 0, frameLength, samples };
}

/**
 * True for the Xing/Info (LAME) or VBRI frame an encoder writes first to describe the file (the frame at
 * `offset` of `bytes`, whose header the caller may have parsed already). It is a valid frame of silence to
 * a decoder, but it is file metadata: in a stream it would be a glitch.
 */
export function isInfoFrame(bytes: Uint8Array, offset = 0, header = parseMp3Header(bytes, offset)): boolean {
  if (!header || header.layer !== 3) return false;
  const sideInfoBytes = header.mpegVersion === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17;
  const xingAt = offset + 4 + (header.crcProtected ? 2 : 0) + sideInfoBytes;
  return hasTag(bytes, xingAt, 'Xing') || hasTag(bytes, xingAt, 'Info') || hasTag(bytes, offset + 4 + 32, 'VBRI');
}

/** Whether the four ASCII characters of `tag` are at `offset` (compared in place: the splitter asks for every frame). */
function hasTag(bytes: Uint8Array, offset: number, tag: string): boolean {
  for (let index = 0; index < 4; index += 1) if (bytes[offset + index] !== tag.charCodeAt(index)) return false;
  return true;
}
