import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `bytes` at `position`. A positional write may write fewer bytes than asked; each pass
 * writes at least one byte or throws, so the loop ends within bytes.length passes.
 */
export async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`wrote nothing at offset ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * Reads up to `length` bytes at `position`; fewer only at the end of the file. Into `buffer` when given
 * (at least `length` long, reused by the caller), otherwise into a new one.
 */
export async function readAt(handle: FileHandle, length: number, position: number, buffer = Buffer.allocUnsafe(length)): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead <= 0) break; // end of file
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** File modification times are how last-played times survive a restart; utimes takes seconds. */
export function toFileTime(ms: number): number {
  return ms / 1000;
}
