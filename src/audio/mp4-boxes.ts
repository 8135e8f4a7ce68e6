import type { FileHandle } from 'node:fs/promises';
import { readAt } from '../read-at.js';

/** One ISO BMFF box (MP4 atom): its four-character type and where its payload lies in the buffer read. */
export interface Mp4Box {
  readonly type: string;
  readonly payload: Buffer;
}

/** A song's file may put its `moov` after the audio (ffmpeg's default): the top level is walked box by box, this many at most. */
const MAX_TOP_LEVEL_BOXES = 64;
/** `moov` holds the tables of every sample and the cover art: a few MiB for a long song; more is not a song worth reading here. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;
const HEADER_BYTES = 16;

/** The boxes inside `payload`, in order; stops at the first box whose size does not fit (a damaged file). */
export function* childBoxes(payload: Buffer): Generator<Mp4Box> {
  let offset = 0;
  while (offset + 8 <= payload.length) {
    const header = boxHeader(payload, offset, payload.length - offset);
    if (!header) return;
    yield { type: header.type, payload: payload.subarray(offset + header.headerBytes, offset + header.size) };
    offset += header.size;
  }
}

/** The first child box of `type` along `path` (e.g. ['trak', 'mdia', 'mdhd']), or undefined. */
export function findBox(payload: Buffer, path: readonly string[]): Mp4Box | undefined {
  let found: Mp4Box | undefined;
  let inside = payload;
  for (const type of path) {
    found = [...childBoxes(inside)].find((box) => box.type === type);
    if (!found) return undefined;
    inside = found.payload;
  }
  return found;
}

/**
 * The payload of the file's top-level `moov` box, or undefined when the file is not an MP4 (no `ftyp`
 * first), has no whole `moov` (a cut download) or one larger than MAX_MOOV_BYTES. Reads only box headers
 * and the `moov` itself: the audio is skipped, however large.
 */
export async function readMoov(handle: FileHandle): Promise<Buffer | undefined> {
  const { size: fileBytes } = await handle.stat();
  let offset = 0;
  for (let index = 0; index < MAX_TOP_LEVEL_BOXES && offset + 8 <= fileBytes; index += 1) {
    const bytes = await readExactly(handle, Math.min(HEADER_BYTES, fileBytes - offset), offset);
    const header = bytes && boxHeader(bytes, 0, fileBytes - offset);
    if (!header || (index === 0 && header.type !== 'ftyp')) return undefined;
    if (header.type === 'moov') {
      if (header.size > MAX_MOOV_BYTES) return undefined;
      return readExactly(handle, header.size - header.headerBytes, offset + header.headerBytes);
    }
    offset += header.size;
  }
  return undefined;
}

/** A box's type, total size and header length at `offset`, when its size is sane and fits in `available` bytes. */
function boxHeader(bytes: Buffer, offset: number, available: number): { type: string; size: number; headerBytes: number } | undefined {
  if (bytes.length - offset < 8) return undefined;
  const type = bytes.toString('latin1', offset + 4, offset + 8);
  let size = bytes.readUInt32BE(offset);
  let headerBytes = 8;
  if (size === 1) {
    if (bytes.length - offset < 16) return undefined;
    size = Number(bytes.readBigUInt64BE(offset + 8));
    headerBytes = 16;
  } else if (size === 0) {
    size = available; // "to the end of the file"
  }
  return size >= headerBytes && size <= available ? { type, size, headerBytes } : undefined;
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer | undefined> {
  const bytes = await readAt(handle, length, position);
  return bytes.length === length ? bytes : undefined;
}
