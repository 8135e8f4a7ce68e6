import { afterEach, beforeEach } from 'vitest';
import { AudioCache } from '../../../src/cache/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { makeTempDir } from '../../support/tmp.js';

export interface CacheDir {
  /** The current test's own empty folder. */
  readonly dir: string;
  /** An AudioCache on that folder. */
  open(maxBytes?: number): Promise<AudioCache>;
}

/** Gives every test of the calling file a fresh cache folder, removed after it. Call at the file's top level. */
export function useCacheDir(): CacheDir {
  let temp: { dir: string; remove: () => Promise<void> } | undefined;
  beforeEach(async () => {
    temp = await makeTempDir('cache');
  });
  afterEach(async () => {
    await temp?.remove();
  });
  return {
    get dir() {
      return temp!.dir;
    },
    open: (maxBytes = 50_000_000) => AudioCache.open({ dir: temp!.dir, maxBytes, logger: silentLogger() }),
  };
}
