import { crc32 } from 'node:zlib';
import type { Mp3Frame, SongLoudness } from '../audio/index.js';
import { failed, ok, type Result } from '../result.js';

/*
 * One cache entry = one file holding the MP3 frames of one song in one stream format (version 2).
 * All integers are big-endian, unsigned unless said.
 *
 *   offset   size  field
 *   0        4     magic "RCAF" (relaycast audio frames)
 *   4        2     version = 1
 *   6        2     header length H, in bytes, this table included
 *   8        4     frame count N
 *   12       4     payload length P, in bytes
 *   16       4     CRC-32 of the payload
 *   20       2     format key length K, then K bytes of UTF-8 ("mp3-128k-44100-2ch")
 *   22+K     2     song ref length R, then R bytes of UTF-8 ("qq:0039MnYb0qxYhV")
 *   24+K+R   2     integrated loudness, signed, in 1/100 LUFS (version 2; see below)
 *   26+K+R   2     true peak, signed, in 1/100 dBTP (version 2)
 *   H-4      4     CRC-32 of header bytes [0, H-4)
 *   H        P     N frame records: u16 frame length L (1..65535), u16 samples per channel, L frame bytes
 *
 * The frames are stored length-prefixed rather than as a bare MP3 stream so that reading needs no MP3
 * parsing: each record is exactly one Mp3Frame as the transcoder produced it (4 bytes overhead per
 * ~420-byte frame, ~1 %). The file is complete when its size is H + P, both CRCs match and exactly N
 * records fill P; anything else (a crash mid-write, a truncated copy, bit rot) makes it corrupt.
 *
 * The loudness fields (version 2) are what ffmpeg's ebur128 measured while transcoding the song, so a station
 * normalises a cached song without decoding it. 0x7fff in both says "not measured" (ffmpeg printed no
 * summary); a peak of -0x8000 is -inf (digital silence). Version 1 entries, written before the fields
 * existed, are still read: they have no loudness, and their song plays un-normalised until the entry is
 * written again (evicted and transcoded, or after `relaycast cache clear`).
 */

export const ENTRY_MAGIC = Buffer.from('RCAF', 'ascii');
export const ENTRY_VERSION = 2;
/** Version 1: the same layout without the loudness fields. */
const FIRST_VERSION = 1;
const LOUDNESS_BYTES = 4;
const NOT_MEASURED = 0x7fff;
const MINUS_INFINITY = -0x8000;
/** Magic, version, header length, frame count, payload length, payload CRC. */
const FIXED_FIELDS_BYTES = 20;
const STRING_LENGTH_BYTES = 2;
const HEADER_CRC_BYTES = 4;
/** Refs and format keys are short; this bounds how much of a file is read to find its header. */
export const MAX_HEADER_STRING_BYTES = 1024;
export const MAX_HEADER_BYTES = FIXED_FIELDS_BYTES + 2 * (STRING_LENGTH_BYTES + MAX_HEADER_STRING_BYTES) + LOUDNESS_BYTES + HEADER_CRC_BYTES;
/** The u32 payload length field; far above any song (an hour at 320 kb/s is 144 MB). */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;

export const FRAME_PREFIX_BYTES = 4;
export const MAX_FRAME_BYTES = 0xffff;
const MAX_FRAME_SAMPLES = 0xffff;

export interface EntryHeader {
  readonly formatKey: string;
  readonly ref: string;
  readonly frameCount: number;
  readonly payloadBytes: number;
  readonly payloadCrc: number;
  /** Absent when not measured, and in version 1 entries. */
  readonly loudness?: SongLoudness | undefined;
}

/** Header bytes an entry for (ref, format key) will start with; the payload begins right after. */
export function headerLength(ref: string, formatKey: string): number {
  return FIXED_FIELDS_BYTES + 2 * STRING_LENGTH_BYTES + Buffer.byteLength(formatKey) + Buffer.byteLength(ref) + LOUDNESS_BYTES + HEADER_CRC_BYTES;
}

export function encodeHeader(header: EntryHeader): Buffer {
  const key = Buffer.from(header.formatKey, 'utf8');
  const ref = Buffer.from(header.ref, 'utf8');
  if (key.length > MAX_HEADER_STRING_BYTES || ref.length > MAX_HEADER_STRING_BYTES) {
    throw new RangeError(`cache entry header: ref and format key must be at most ${MAX_HEADER_STRING_BYTES} bytes`);
  }
  const length = headerLength(header.ref, header.formatKey);
  const bytes = Buffer.alloc(length);
  ENTRY_MAGIC.copy(bytes, 0);
  bytes.writeUInt16BE(ENTRY_VERSION, 4);
  bytes.writeUInt16BE(length, 6);
  bytes.writeUInt32BE(header.frameCount, 8);
  bytes.writeUInt32BE(header.payloadBytes, 12);
  bytes.writeUInt32BE(header.payloadCrc, 16);
  let offset = FIXED_FIELDS_BYTES;
  for (const text of [key, ref]) {
    bytes.writeUInt16BE(text.length, offset);
    text.copy(bytes, offset + STRING_LENGTH_BYTES);
    offset += STRING_LENGTH_BYTES + text.length;
  }
  const { loudness } = header;
  bytes.writeInt16BE(loudness ? hundredths(loudness.integratedLufs) : NOT_MEASURED, offset);
  bytes.writeInt16BE(loudness ? hundredths(loudness.truePeakDb) : NOT_MEASURED, offset + 2);
  offset += LOUDNESS_BYTES;
  bytes.writeUInt32BE(crc32(bytes.subarray(0, offset)), offset);
  return bytes;
}

/** Parses the header at the start of `bytes` (which may run on into the payload) and checks its CRC. */
export function decodeHeader(bytes: Buffer): Result<{ header: EntryHeader; length: number }, string> {
  if (bytes.length < FIXED_FIELDS_BYTES) return failed(`only ${bytes.length} bytes, shorter than a header`);
  if (!bytes.subarray(0, 4).equals(ENTRY_MAGIC)) return failed('not a relaycast cache entry (bad magic)');
  const version = bytes.readUInt16BE(4);
  if (version !== ENTRY_VERSION && version !== FIRST_VERSION) {
    return failed(`entry format version ${version}, expected ${FIRST_VERSION} or ${ENTRY_VERSION}`);
  }
  const length = bytes.readUInt16BE(6);
  if (length < FIXED_FIELDS_BYTES + 2 * STRING_LENGTH_BYTES + HEADER_CRC_BYTES || length > MAX_HEADER_BYTES) {
    return failed(`impossible header length ${length}`);
  }
  if (bytes.length < length) return failed(`header cut short at ${bytes.length} of ${length} bytes`);
  const crcAt = length - HEADER_CRC_BYTES;
  if (crc32(bytes.subarray(0, crcAt)) !== bytes.readUInt32BE(crcAt)) return failed('header checksum mismatch');
  const strings: string[] = [];
  let offset = FIXED_FIELDS_BYTES;
  for (let index = 0; index < 2; index += 1) {
    const size = bytes.readUInt16BE(offset);
    offset += STRING_LENGTH_BYTES;
    if (offset + size > crcAt) return failed('header strings overrun the header');
    strings.push(bytes.toString('utf8', offset, offset + size));
    offset += size;
  }
  let loudness: SongLoudness | undefined;
  if (version >= 2) {
    if (offset + LOUDNESS_BYTES > crcAt) return failed('header strings overrun the header');
    loudness = loudnessAt(bytes, offset);
    offset += LOUDNESS_BYTES;
  }
  if (offset !== crcAt) return failed('header length does not match its contents');
  const header: EntryHeader = {
    formatKey: strings[0] ?? '',
    ref: strings[1] ?? '',
    frameCount: bytes.readUInt32BE(8),
    payloadBytes: bytes.readUInt32BE(12),
    payloadCrc: bytes.readUInt32BE(16),
    ...(loudness && { loudness }),
  };
  return ok({ header, length });
}

/** A decibel figure as the header stores it: 1/100 dB, -inf as MINUS_INFINITY, clamped to what 16 bits hold. */
function hundredths(db: number): number {
  if (db === -Infinity) return MINUS_INFINITY;
  return Math.max(MINUS_INFINITY + 1, Math.min(NOT_MEASURED - 1, Math.round(db * 100)));
}

function loudnessAt(bytes: Buffer, offset: number): SongLoudness | undefined {
  const integrated = bytes.readInt16BE(offset);
  const peak = bytes.readInt16BE(offset + 2);
  if (integrated === NOT_MEASURED || peak === NOT_MEASURED) return undefined;
  return { integratedLufs: integrated / 100, truePeakDb: peak === MINUS_INFINITY ? -Infinity : peak / 100 };
}

/** The 4-byte record prefix of `frame`; the record is this followed by `frame.bytes`. */
export function framePrefix(frame: Mp3Frame): Buffer {
  const prefix = Buffer.allocUnsafe(FRAME_PREFIX_BYTES);
  prefix.writeUInt16BE(frame.bytes.length, 0);
  prefix.writeUInt16BE(frame.samples, 2);
  return prefix;
}

/** Why `frame` cannot be stored, or undefined when it can. */
export function unstorableFrame(frame: unknown): string | undefined {
  const candidate = frame as Partial<Mp3Frame> | null;
  if (!candidate || !Buffer.isBuffer(candidate.bytes)) return 'not an Mp3Frame (no bytes Buffer)';
  if (candidate.bytes.length < 1 || candidate.bytes.length > MAX_FRAME_BYTES) {
    return `frame of ${candidate.bytes.length} bytes (must be 1..${MAX_FRAME_BYTES})`;
  }
  const samples = candidate.samples;
  if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 0 || samples > MAX_FRAME_SAMPLES) {
    return `frame with ${String(samples)} samples (must be 0..${MAX_FRAME_SAMPLES})`;
  }
  return undefined;
}

type FrameSink = (bytes: Buffer, samples: number) => void;
const NO_BYTES = Buffer.alloc(0);

/**
 * Splits payload bytes, in chunks of any size, back into frames. Frames are views into the chunks
 * (no copy); only a record split across two chunks is copied, into a buffer of its own. Nothing else of
 * a chunk is kept, so a caller that does not keep the frames (check()) may reuse the chunk's memory.
 */
export class FrameRecordDecoder {
  private rest: Buffer = NO_BYTES;
  private decoded = 0;

  /** Frames decoded so far. */
  get frames(): number {
    return this.decoded;
  }

  /** Bytes of an incomplete record waiting for the next chunk. */
  get pendingBytes(): number {
    return this.rest.length;
  }

  /** Whole frames completed by `chunk`; throws on a zero-length record, which a valid entry never holds. */
  push(chunk: Buffer): Mp3Frame[] {
    const frames: Mp3Frame[] = [];
    this.walk(chunk, (bytes, samples) => frames.push({ bytes, samples }));
    return frames;
  }

  /**
   * Checks the records completed by `chunk` as push() does, without making a frame of each: verifying a
   * whole entry then leaves no garbage in proportion to the song's length.
   */
  check(chunk: Buffer): void {
    this.walk(chunk);
  }

  private walk(chunk: Buffer, onFrame?: FrameSink): void {
    const start = this.rest.length > 0 ? this.finishSpanningRecord(chunk, onFrame) : 0;
    if (start === undefined) return;
    // Each iteration consumes at least FRAME_PREFIX_BYTES + 1 bytes, so this ends within chunk.length iterations.
    let offset = start;
    while (offset + FRAME_PREFIX_BYTES <= chunk.length) {
      const end = offset + recordLength(chunk, offset);
      if (end > chunk.length) break;
      this.emit(chunk, offset, end, onFrame);
      offset = end;
    }
    this.rest = offset === chunk.length ? NO_BYTES : Buffer.from(chunk.subarray(offset));
  }

  /**
   * Completes the record an earlier chunk began with the start of `chunk`, copying only that record.
   * Returns where the chunk's own records start, or undefined when the chunk ended first.
   */
  private finishSpanningRecord(chunk: Buffer, onFrame: FrameSink | undefined): number | undefined {
    const pending = this.rest;
    const prefix = Buffer.concat([pending, chunk.subarray(0, Math.max(0, FRAME_PREFIX_BYTES - pending.length))]);
    const fromChunk = prefix.length < FRAME_PREFIX_BYTES ? Infinity : recordLength(prefix, 0) - pending.length;
    if (fromChunk > chunk.length) {
      this.rest = Buffer.concat([pending, chunk]);
      return undefined;
    }
    const record = Buffer.concat([pending, chunk.subarray(0, fromChunk)]);
    this.emit(record, 0, record.length, onFrame);
    return fromChunk;
  }

  private emit(bytes: Buffer, start: number, end: number, onFrame: FrameSink | undefined): void {
    onFrame?.(bytes.subarray(start + FRAME_PREFIX_BYTES, end), bytes.readUInt16BE(start + 2));
    this.decoded += 1;
  }
}

/** Prefix plus frame bytes of the record at `offset`; throws on a zero-length one. */
function recordLength(bytes: Buffer, offset: number): number {
  const size = bytes.readUInt16BE(offset);
  if (size === 0) throw new Error('a zero-length frame record');
  return FRAME_PREFIX_BYTES + size;
}
