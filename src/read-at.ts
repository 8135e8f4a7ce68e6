import type { FileHandle } from 'node:fs/promises';

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
