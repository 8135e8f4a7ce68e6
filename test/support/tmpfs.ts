import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes of this size fill a small tmpfs in a few dozen steps. */
const FILL_CHUNK_BYTES = 4096;
/** Bound of the fill loop: far more chunks than any tmpfs these tests mount can hold. */
const FILL_MAX_CHUNKS = 10_000;

export interface Tmpfs {
  readonly dir: string;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeKb` at `dir` (an existing empty folder), read-only when asked: a cache disk the
 * tests can fill or forbid writing to. Needs root (or CAP_SYS_ADMIN); without it, fails saying so.
 */
export function mountTmpfs(dir: string, options: { sizeKb: number; readOnly?: boolean }): Tmpfs {
  const flags = `size=${options.sizeKb}k${options.readOnly ? ',ro' : ''}`;
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', flags, 'tmpfs', dir], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || `exit ${result.status}`).trim();
    throw new Error(`cannot mount a ${options.sizeKb} KiB tmpfs at ${dir} (${why}): the cache-disk fault tests need to run as root or with CAP_SYS_ADMIN (mount -t tmpfs)`);
  }
  return {
    dir,
    unmount() {
      // Lazy: a process that still holds a file there must not keep the mount (and the test) alive.
      spawnSync('umount', ['-l', dir], { timeout: 10_000 });
    },
  };
}

/** Fills the file system holding `dir` until a write fails with ENOSPC; returns the bytes written. */
export async function fillUp(dir: string): Promise<number> {
  const handle = await open(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(FILL_CHUNK_BYTES, 0x55);
  let written = 0;
  try {
    for (let count = 0; count < FILL_MAX_CHUNKS; count += 1) {
      const { bytesWritten } = await handle.write(chunk);
      written += bytesWritten;
      if (bytesWritten < chunk.length) return written;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return written;
    throw error;
  } finally {
    await handle.close();
  }
  throw new Error(`${dir} took ${written} bytes without filling up: it is not the small tmpfs it should be`);
}
