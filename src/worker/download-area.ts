import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory, probeWrite } from '../cache/index.js';
import { describeCondition, diskCondition } from '../disk-condition.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';

/**
 * The bound of the fallback area under os.tmpdir(): it is used only while that much is free there, so
 * downloads waiting for ffmpeg (a song of 3-15 MB per station) never fill the system's temp space.
 * With less free space than this, ffmpeg reads song URLs itself.
 */
export const FALLBACK_DOWNLOAD_AREA_BYTES = 256 * 1024 * 1024;

export interface DownloadArea {
  /** Where downloads wait for ffmpeg; undefined when no folder takes them: ffmpeg then reads the URL itself. */
  readonly dir: string | undefined;
  /** Removes the area when it is a temp folder of this process; CACHE_DIR/downloads is cleaned at the next start. */
  remove(): Promise<void>;
}

/**
 * CACHE_DIR/downloads when there is a cache folder and it takes a file, else a fresh folder under
 * os.tmpdir(), else none. Each step that fails is one warning line naming its condition.
 */
export async function openDownloadArea(cacheDir: string | undefined, logger: Logger): Promise<DownloadArea> {
  if (cacheDir) {
    const dir = join(cacheDir, 'downloads');
    try {
      // Downloads left by a process that died are of no use: each is a song nobody is transcoding.
      await rm(dir, { recursive: true, force: true });
      await makeDirectory(dir);
      await probeWrite(join(dir, '.write-probe'));
      return { dir, remove: async () => {} };
    } catch (error) {
      warn(logger, dir, error, 'cannot keep downloads in the cache folder: using a temp folder instead');
    }
  }
  let temp: string | undefined;
  try {
    temp = await mkdtemp(join(tmpdir(), 'relaycast-downloads-'));
    const { bavail, bsize } = await statfs(temp);
    if (bavail * bsize < FALLBACK_DOWNLOAD_AREA_BYTES) {
      throw new Error(`${bavail * bsize} bytes free where ${FALLBACK_DOWNLOAD_AREA_BYTES} are needed (ENOSPC)`);
    }
    await probeWrite(join(temp, '.write-probe'));
    const dir = temp;
    return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    if (temp) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    warn(logger, temp ?? tmpdir(), error, 'no folder takes downloads: ffmpeg reads song URLs directly');
    return { dir: undefined, remove: async () => {} };
  }
}

function warn(logger: Logger, dir: string, error: unknown, msg: string): void {
  const condition = diskCondition(error);
  const why = condition ? `${describeCondition(condition)} (${condition})` : describeError(error);
  logger.warn({ dir, condition, err: `${dir}: ${why}; check CACHE_DIR and the free space and permissions there` }, msg);
}
