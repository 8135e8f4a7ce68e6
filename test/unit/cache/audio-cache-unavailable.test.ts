import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../../src/audio/index.js';
import { UNAVAILABLE_RETRY_MS } from '../../../src/cache/defaults.js';
import { AudioCache } from '../../../src/cache/index.js';
import { withFillFallback } from '../../../src/frame-loader/fill-fallback.js';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { captureLog } from '../../support/icecast.js';
import { inBatches, readFrames } from '../../support/frames.js';
import { useCacheDir } from './cache-dir.js';
import { filesIn, manualClock, songFrames, writeEntry } from './frames.js';

const format = DEFAULT_STREAM_FORMAT;
const cacheDir = useCacheDir();

/** A cache whose folder sits below a plain file, so every file-system call on it fails with ENOTDIR until the file goes. */
async function blockedCache() {
  const blocker = join(cacheDir.dir, 'blocker');
  await writeFile(blocker, 'not a folder');
  const log = captureLog();
  const clock = manualClock();
  const cache = await AudioCache.open({ dir: join(blocker, 'audio'), maxBytes: 10_000_000, logger: createLogger({ destination: log }), now: clock.now });
  return { cache, log, clock, unblock: () => rm(blocker) };
}

/**
 * Plays one song through the cache the way the loader does (a fill when the cache takes it, the same frames
 * from their source again when the fill fails); resolves with the number of frames the player got.
 */
async function play(cache: AudioCache, ref: string, frameCount = 300): Promise<number> {
  const source = () => Readable.from(inBatches(songFrames(ref, frameCount)));
  const filling = cache.fill(ref, format, source, () => undefined);
  if (!filling) return (await readFrames(source())).length;
  const played = await readFrames(withFillFallback(filling, source, silentLogger()));
  await filling.done;
  return played.length;
}

describe('AudioCache on a folder it cannot use', () => {
  it('plays every song uncached, with one warning for the condition and none per song', async () => {
    const { cache, log } = await blockedCache();
    for (let song = 0; song < 5; song += 1) expect(await play(cache, `song:${song}`)).toBe(300);
    expect(cache.stats()).toMatchObject({ entries: 0, unavailable: ['ENOTDIR'] });
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.condition)).toEqual(['ENOTDIR']);
  });

  it('touches the disk for no writer until the retry period has passed', async () => {
    const { cache, clock, unblock } = await blockedCache();
    await unblock(); // the folder could work now, but nobody is to try before the period is over
    clock.advance(UNAVAILABLE_RETRY_MS - 1_000);
    await play(cache, 'song:early');
    expect(cache.has('song:early', format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('caches again once the folder works after the retry period, and says so once', async () => {
    const { cache, log, clock, unblock } = await blockedCache();
    await unblock();
    clock.advance(UNAVAILABLE_RETRY_MS);
    await play(cache, 'song:a');
    await play(cache, 'song:b');
    expect(cache.has('song:a', format)).toBe(true);
    expect(cache.has('song:b', format)).toBe(true);
    expect(cache.stats().unavailable).toEqual([]);
    expect(log.lines.filter((line) => line.msg.startsWith('audio cache usable again'))).toHaveLength(1);
  });

  it('warns again only for a new condition, while the first one still holds', async () => {
    const { cache, log, clock } = await blockedCache();
    clock.advance(UNAVAILABLE_RETRY_MS);
    await play(cache, 'song:probe'); // the probe meets ENOTDIR again: no second line
    expect(log.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });
});

describe('AudioCache.clear', () => {
  it('removes entries it has not indexed too, such as those another process wrote', async () => {
    const cache = await cacheDir.open();
    const other = await cacheDir.open();
    await writeEntry(other, 'song:other', songFrames('song:other', 5));
    await writeFile(join(cacheDir.dir, 'notes.txt'), 'not a cache entry');
    await cache.clear();
    expect(await filesIn(cacheDir.dir)).toEqual(['notes.txt']);
  });

  it('has nothing to do on a folder that does not exist', async () => {
    const cache = await AudioCache.open({ dir: join(cacheDir.dir, 'audio'), maxBytes: 10_000_000, logger: silentLogger() });
    await rm(join(cacheDir.dir, 'audio'), { recursive: true });
    await expect(cache.clear()).resolves.toBeUndefined();
  });
});
