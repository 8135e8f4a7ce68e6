import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';

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

/** File modification times are how last-played times survive a restart; utimes takes seconds. */
export function toFileTime(ms: number): number {
  return ms / 1000;
}

/**
 * Writes a small file at `path` and removes it: a folder that is read-only, full or not ours refuses it,
 * which an mkdir or a listing alone does not show.
 */
export async function probeWrite(path: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await writeFully(handle, Buffer.from('relaycast write probe\n'), 0);
  } finally {
    await handle.close();
    await rm(path, { force: true });
  }
}

/**
 * mkdir -p that tells why it failed: Node's recursive mkdir reports ENOENT on a read-only file system
 * (measured, Node 20), which would name the wrong condition. The folder itself is tried first; only a
 * missing parent falls back to the recursive form.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
  }
}
