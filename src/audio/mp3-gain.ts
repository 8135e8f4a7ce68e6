import { parseMp3Header, type Mp3Header } from './mp3-header.js';

/**
 * Changing the level of Layer III frames without decoding them (the mp3gain method): every granule of every
 * channel carries an 8-bit `global_gain` in the frame's side information, the quantiser step size that
 * scales all of that granule's spectral values by 2^(global_gain / 4) in amplitude, i.e. 1.5 dB per step
 * (ISO/IEC 11172-3 2.4.3.4, 13818-3 2.4.3.2). Adding N to each of them changes the decoded level by N × 1.5 dB
 * and nothing else: the Huffman data is untouched, so the frame keeps its length and decodes to exactly the
 * same samples scaled.
 *
 * Side-information layouts (bits, in order):
 * - MPEG-1: main_data_begin 9, private_bits 5 (mono) or 3, scfsi 4 per channel; then 2 granules × channels
 *   of 59 bits each: part2_3_length 12, big_values 9, global_gain 8, scalefac_compress 4, the rest 26.
 * - MPEG-2 / 2.5 (LSF): main_data_begin 8, private_bits 1 (mono) or 2; then 1 granule × channels of 63 bits:
 *   part2_3_length 12, big_values 9, global_gain 8, scalefac_compress 9, the rest 25.
 * The side information follows the 4-byte header, or the header and its 16-bit CRC when protected.
 */

/** One global_gain step in dB (amplitude 2^(1/4)). */
export const GAIN_STEP_DB = 1.5;

const GLOBAL_GAIN_MAX = 255;
/** Bits from the start of a granule/channel block to its global_gain: part2_3_length + big_values. */
const GLOBAL_GAIN_OFFSET_BITS = 12 + 9;

interface SideInfoLayout {
  /** Bits before the first granule/channel block. */
  readonly leadBits: number;
  readonly granules: 1 | 2;
  /** Bits of one granule/channel block. */
  readonly blockBits: number;
  /** Bytes of the whole side information. */
  readonly bytes: number;
}

function sideInfoLayout(header: Mp3Header): SideInfoLayout {
  const stereo = header.channels === 2;
  if (header.mpegVersion === 1) return { leadBits: stereo ? 20 : 18, granules: 2, blockBits: 59, bytes: stereo ? 32 : 17 };
  return { leadBits: stereo ? 10 : 9, granules: 1, blockBits: 63, bytes: stereo ? 17 : 9 };
}

/** Bit offsets, from the start of the frame, of every global_gain field of a Layer III frame. */
function globalGainOffsets(header: Mp3Header): number[] {
  const layout = sideInfoLayout(header);
  const sideInfoStart = (4 + (header.crcProtected ? 2 : 0)) * 8;
  const offsets: number[] = [];
  for (let block = 0; block < layout.granules * header.channels; block += 1) {
    offsets.push(sideInfoStart + layout.leadBits + block * layout.blockBits + GLOBAL_GAIN_OFFSET_BITS);
  }
  return offsets;
}

/** The 8-bit field at bit `offset` (MSB first), which may straddle two bytes. */
function readByteAt(bytes: Uint8Array, offset: number): number {
  const index = offset >> 3;
  const shift = offset & 7;
  const word = (bytes[index]! << 8) | (bytes[index + 1] ?? 0);
  return (word >> (8 - shift)) & 0xff;
}

function writeByteAt(bytes: Uint8Array, offset: number, value: number): void {
  const index = offset >> 3;
  const shift = offset & 7;
  const mask = 0xff00 >> shift;
  const word = ((bytes[index]! << 8) | (bytes[index + 1] ?? 0)) & ~mask;
  const next = word | ((value << (8 - shift)) & mask);
  bytes[index] = next >> 8;
  if (shift !== 0) bytes[index + 1] = next & 0xff;
}

/**
 * CRC-16 of a protected Layer III frame: polynomial 0x8005, initial value 0xffff, over the header's last two
 * bytes and the side information (ISO/IEC 11172-3 2.4.3.1, the bits "protected" for Layer III).
 */
export function layer3Crc(frame: Uint8Array, header: Mp3Header): number {
  let crc = 0xffff;
  const sideInfoEnd = 6 + sideInfoLayout(header).bytes;
  const feed = (byte: number) => {
    for (let bit = 7; bit >= 0; bit -= 1) {
      const top = ((crc >> 15) & 1) ^ ((byte >> bit) & 1);
      crc = (crc << 1) & 0xffff;
      if (top) crc ^= 0x8005;
    }
  };
  feed(frame[2]!);
  feed(frame[3]!);
  for (let index = 6; index < sideInfoEnd; index += 1) feed(frame[index]!);
  return crc;
}

/** The global_gain values of a Layer III frame, granule by granule, channel by channel; undefined for other frames. */
export function globalGains(frame: Uint8Array): number[] | undefined {
  const header = parseMp3Header(frame);
  if (!header || header.layer !== 3) return undefined;
  if (frame.length < 4 + (header.crcProtected ? 2 : 0) + sideInfoLayout(header).bytes) return undefined;
  return globalGainOffsets(header).map((offset) => readByteAt(frame, offset));
}

/**
 * `frame` with every global_gain changed by `steps` (each GAIN_STEP_DB), clamped to 0..255; a new buffer,
 * the input is left as it is (it may be shared with the disk cache's writer). A protected frame gets its CRC
 * recomputed, so decoders that check it keep accepting it. Frames that are not Layer III (or too short to
 * hold their side information) and a gain of 0 come back unchanged, as the same buffer.
 */
export function applyMp3Gain(frame: Buffer, steps: number): Buffer {
  if (steps === 0) return frame;
  if (!Number.isInteger(steps)) throw new RangeError(`mp3 gain: steps must be a whole number, got ${steps}`);
  const header = parseMp3Header(frame);
  if (!header || header.layer !== 3) return frame;
  const layout = sideInfoLayout(header);
  if (frame.length < 4 + (header.crcProtected ? 2 : 0) + layout.bytes) return frame;
  const out = Buffer.from(frame);
  for (const offset of globalGainOffsets(header)) {
    const gain = readByteAt(out, offset);
    writeByteAt(out, offset, Math.min(GLOBAL_GAIN_MAX, Math.max(0, gain + steps)));
  }
  if (header.crcProtected) out.writeUInt16BE(layer3Crc(out, header), 4);
  return out;
}
