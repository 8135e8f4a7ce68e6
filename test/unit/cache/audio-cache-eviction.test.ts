import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, formatKey } from '../../../src/audio/index.js';
import { entryFileName } from '../../../src/cache/entry-name.js';
import { AudioCache } from '../../../src/cache/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { filesIn, manualClock, songFrames, writeEntry } from './frames.js';
import { useCacheDir } from './cache-dir.js';
import { readFrames } from '../../support/frames.js';
import { makeTempDir } from '../../support/tmp.js';

const format = DEFAULT_STREAM_FORMAT;
/** Every song the same size, so "room for N songs" is exact. */
const FRAMES_PER_SONG = 50;

const cacheDir = useCacheDir();

/** Bytes of one entry of FRAMES_PER_SONG frames for `ref` (refs of equal length give equal sizes). */
async function entrySize(ref: string): Promise<number> {
  const probe = await makeTempDir('cache-probe');
  const cache = await AudioCache.open({ dir: probe.dir, maxBytes: 10_000_000, logger: silentLogger() });
  await writeEntry(cache, ref, songFrames(ref, FRAMES_PER_SONG));
  const { bytes } = cache.stats();
  await probe.remove();
  return bytes;
}

const cached = (cache: AudioCache, refs: string[]) => refs.filter((ref) => cache.has(ref, format));

describe('AudioCache eviction', () => {
  it('evicts the least recently played songs first and never exceeds maxBytes', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const cache = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 3 * size, logger: silentLogger(), now: clock.now });
    for (const ref of ['song:a', 'song:b', 'song:c']) {
      clock.advance();
      await writeEntry(cache, ref, songFrames(ref, FRAMES_PER_SONG));
    }
    clock.advance();
    await readFrames((await cache.reader('song:a', format))!); // a is now the most recently played

    clock.advance();
    await writeEntry(cache, 'song:d', songFrames('song:d', FRAMES_PER_SONG));
    expect(cached(cache, ['song:a', 'song:b', 'song:c', 'song:d'])).toEqual(['song:a', 'song:c', 'song:d']);
    clock.advance();
    await writeEntry(cache, 'song:e', songFrames('song:e', FRAMES_PER_SONG));
    expect(cached(cache, ['song:a', 'song:b', 'song:c', 'song:d', 'song:e'])).toEqual(['song:a', 'song:d', 'song:e']);

    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 3 * size, maxBytes: 3 * size });
    expect(await filesIn(cacheDir.dir)).toHaveLength(3);
  });

  it('keeps its bound when it finds an entry another process wrote to the shared folder', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const ours = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 2 * size, logger: silentLogger(), now: clock.now });
    const theirs = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 2 * size, logger: silentLogger(), now: clock.now });
    for (const ref of ['song:a', 'song:b']) {
      clock.advance();
      await writeEntry(ours, ref, songFrames(ref, FRAMES_PER_SONG));
    }
    clock.advance();
    await writeEntry(theirs, 'song:c', songFrames('song:c', FRAMES_PER_SONG));
    const found = await ours.reader('song:c', format);
    expect(found).toBeDefined();
    expect(ours.stats()).toMatchObject({ entries: 2, bytes: 2 * size });
    expect(cached(ours, ['song:a', 'song:b', 'song:c'])).toEqual(['song:b', 'song:c']);
    await readFrames(found!);
  });

  it('keeps last-played times across a restart, in the files modification times', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const first = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 3 * size, logger: silentLogger(), now: clock.now });
    for (const ref of ['song:a', 'song:b', 'song:c']) {
      clock.advance();
      await writeEntry(first, ref, songFrames(ref, FRAMES_PER_SONG));
    }
    clock.advance();
    await readFrames((await first.reader('song:a', format))!);
    const mtime = (await stat(join(cacheDir.dir, entryFileName('song:a', formatKey(format))))).mtimeMs;
    expect(mtime).toBe(clock.now());

    const restarted = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 3 * size, logger: silentLogger(), now: clock.now });
    expect(restarted.stats()).toMatchObject({ entries: 3, bytes: 3 * size });
    clock.advance();
    await writeEntry(restarted, 'song:d', songFrames('song:d', FRAMES_PER_SONG));
    expect(cached(restarted, ['song:a', 'song:b', 'song:c', 'song:d'])).toEqual(['song:a', 'song:c', 'song:d']);
  });

  it('shrinks an over-full directory at open, as after lowering the configured size', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const roomy = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 10 * size, logger: silentLogger(), now: clock.now });
    for (const ref of ['song:a', 'song:b', 'song:c', 'song:d']) {
      clock.advance();
      await writeEntry(roomy, ref, songFrames(ref, FRAMES_PER_SONG));
    }
    const tight = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 2 * size, logger: silentLogger(), now: clock.now });
    expect(cached(tight, ['song:a', 'song:b', 'song:c', 'song:d'])).toEqual(['song:c', 'song:d']);
    expect(await filesIn(cacheDir.dir)).toHaveLength(2);
  });

  it('never evicts an entry while it is being read; the next least recently played goes instead', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const cache = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 2 * size, logger: silentLogger(), now: clock.now });
    clock.advance();
    await writeEntry(cache, 'song:a', songFrames('song:a', FRAMES_PER_SONG));
    clock.advance();
    await writeEntry(cache, 'song:b', songFrames('song:b', FRAMES_PER_SONG));
    clock.advance();
    const playingA = (await cache.reader('song:a', format))!;
    clock.advance();
    await readFrames((await cache.reader('song:b', format))!);
    // a is now the least recently played, but it is still playing.
    clock.advance();
    await writeEntry(cache, 'song:c', songFrames('song:c', FRAMES_PER_SONG));
    expect(cached(cache, ['song:a', 'song:b', 'song:c'])).toEqual(['song:a', 'song:c']);
    expect(await readFrames(playingA)).toHaveLength(FRAMES_PER_SONG);
  });

  it('drops a new song that cannot fit beside the ones playing rather than exceed the bound', async () => {
    const clock = manualClock();
    const size = await entrySize('song:a');
    const cache = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 2 * size, logger: silentLogger(), now: clock.now });
    for (const ref of ['song:a', 'song:b']) {
      clock.advance();
      await writeEntry(cache, ref, songFrames(ref, FRAMES_PER_SONG));
    }
    const readers = [(await cache.reader('song:a', format))!, (await cache.reader('song:b', format))!];
    clock.advance();
    await writeEntry(cache, 'song:c', songFrames('song:c', FRAMES_PER_SONG));
    expect(cached(cache, ['song:a', 'song:b', 'song:c'])).toEqual(['song:a', 'song:b']);
    expect(cache.stats().bytes).toBeLessThanOrEqual(2 * size);
    for (const reader of readers) reader.destroy();
  });

  it('clear() removes every entry and leaves files that are not the cache alone', async () => {
    const cache = await AudioCache.open({ dir: cacheDir.dir, maxBytes: 10_000_000, logger: silentLogger() });
    await writeEntry(cache, 'song:a', songFrames('song:a', 5));
    await writeEntry(cache, 'song:b', songFrames('song:b', 5));
    await writeFile(join(cacheDir.dir, 'README'), 'not a cache entry');
    await cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(await filesIn(cacheDir.dir)).toEqual(['README']);
    expect((await AudioCache.open({ dir: cacheDir.dir, maxBytes: 10_000_000, logger: silentLogger() })).stats().entries).toBe(0);
  });
});
