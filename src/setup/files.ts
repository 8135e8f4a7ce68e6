import { randomBytes } from 'node:crypto';
import { chmod, chown, link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Files that setup writes for other processes. Setup runs as root in the compose file (it must write into
 * the music folder the host user owns); the services run as an unprivileged user. So, as root, every file
 * and folder setup makes takes the owner and group of the folder it is made in: the shared volumes belong
 * to the services' user (the image creates them so), the music folder to whoever made it on the host.
 */
export interface WriteOptions {
  /** Permission bits, applied whatever the umask (secrets: 0o640, owner and group only). */
  readonly mode: number;
  /** Fail with EEXIST instead of replacing a file that exists (a generated secret is never overwritten). */
  readonly exclusive?: boolean;
}

const runsAsRoot = (): boolean => process.getuid?.() === 0;

/**
 * Writes `data` to `path` all at once: a reader sees the old file or the new one, never half of it
 * (a temp file in the same folder, then rename, or link when `exclusive`).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data, { mode: options.mode, flag: 'wx' });
    await chmod(temp, options.mode);
    await giveToFolderOwner(temp);
    if (options.exclusive) await link(temp, path);
    else await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** mkdir -p, the folders it makes owned like their parent (as root). */
export async function makeFolder(path: string, mode = 0o755): Promise<void> {
  const missing: string[] = [];
  for (let dir = path; !(await exists(dir)); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await mkdir(dir, { mode }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await giveToFolderOwner(dir);
  }
}

/** As root, hands `path` to the owner and group of its folder; otherwise it already belongs to us. */
export async function giveToFolderOwner(path: string): Promise<void> {
  if (!runsAsRoot()) return;
  const folder = await stat(dirname(path));
  await chown(path, folder.uid, folder.gid);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
