import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { IO_CHUNK_BYTES } from './defaults.js';
import { decodeHeader, FrameRecordDecoder, MAX_HEADER_BYTES, type EntryHeader } from './entry-format.js';
import { readAt } from '../read-at.js';
import { failed, ok, type Result } from '../result.js';

export interface VerifiedEntry {
  readonly header: EntryHeader;
  /** Where the payload starts: the header's length. */
  readonly payloadStart: number;
}

/**
 * Checks a whole entry before any of it is played: header, the (ref, format) it belongs to, its size,
 * the payload CRC and the record structure. Reading a 5 MB entry once more costs a few milliseconds,
 * and in exchange a damaged entry is never half played: the caller transcodes the song instead.
 */
export async function verifyEntry(handle: FileHandle, expected: { ref: string; formatKey: string }): Promise<Result<VerifiedEntry, string>> {
  const { size } = await handle.stat();
  const decoded = decodeHeader(await readAt(handle, Math.min(size, MAX_HEADER_BYTES), 0));
  if (!decoded.ok) return decoded;
  const { header, length } = decoded.value;
  if (header.ref !== expected.ref || header.formatKey !== expected.formatKey) {
    return failed(`holds ${header.ref} (${header.formatKey}) instead`);
  }
  if (size !== length + header.payloadBytes) {
    return failed(`${size} bytes on disk, expected ${length + header.payloadBytes}`);
  }
  const records = new FrameRecordDecoder();
  // One buffer for every read: a new one each time left ~2 bytes of malloc'd memory per byte of entry
  // behind (measured: +13 MB of RSS for a 6.4 MB entry, kept by the allocator after GC).
  const scratch = Buffer.allocUnsafe(IO_CHUNK_BYTES);
  let crc = 0;
  // Bounded by the payload length: each pass reads at least one byte or stops.
  for (let offset = 0; offset < header.payloadBytes; ) {
    const chunk = await readAt(handle, Math.min(IO_CHUNK_BYTES, header.payloadBytes - offset), length + offset, scratch);
    if (chunk.length === 0) return failed(`payload ends at ${offset} of ${header.payloadBytes} bytes`);
    crc = crc32(chunk, crc);
    try {
      records.check(chunk);
    } catch (error) {
      return failed(error instanceof Error ? error.message : String(error));
    }
    offset += chunk.length;
  }
  if (crc !== header.payloadCrc) return failed('payload checksum mismatch');
  if (records.pendingBytes > 0 || records.frames !== header.frameCount) {
    return failed(`${records.frames} whole frames, header says ${header.frameCount}`);
  }
  return ok({ header, payloadStart: length });
}
