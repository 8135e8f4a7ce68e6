import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, formatKey } from '../../../src/audio/index.js';
import { entryFileName } from '../../../src/cache/entry-name.js';
import { AudioCache, CacheEntryCorruptError } from '../../../src/cache/index.js';
import { asText, filesIn, songFrames, writeEntry } from './frames.js';
import { useCacheDir } from './cache-dir.js';
import { readFrames } from '../../support/frames.js';

const format = DEFAULT_STREAM_FORMAT;
const ref = 'qq:0039MnYb0qxYhV';
const entryName = entryFileName(ref, formatKey(format));

const cacheDir = useCacheDir();

const open = cacheDir.open;

/** The bytes of a valid entry: small frames, so every offset of the file can be damaged in turn quickly. */
async function validEntryBytes(): Promise<Buffer> {
  const cache = await open();
  await writeEntry(cache, ref, songFrames('x', 12, 24));
  return readFile(join(cacheDir.dir, entryName));
}

/** Puts `bytes` where the entry lives, opens the cache as after a restart, and reads the entry. */
async function readDamaged(bytes: Buffer): Promise<{ cache: AudioCache; frames: Awaited<ReturnType<AudioCache['reader']>> }> {
  await writeFile(join(cacheDir.dir, entryName), bytes);
  const cache = await open();
  return { cache, frames: await cache.reader(ref, format) };
}

describe('AudioCache entry integrity', () => {
  it('gives back exactly the frames written, in order, with their sample counts', async () => {
    const cache = await open();
    const frames = songFrames('song', 300);
    await writeEntry(cache, ref, frames);
    expect(cache.has(ref, format)).toBe(true);
    expect(asText(await readFrames((await cache.reader(ref, format))!))).toEqual(asText(frames));
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 0 });
  });

  it('keeps entries per stream format apart', async () => {
    const cache = await open();
    const other = { ...format, bitrateKbps: 64 };
    await writeEntry(cache, ref, songFrames('128k', 3));
    expect(cache.has(ref, other)).toBe(false);
    expect(await cache.reader(ref, other)).toBeUndefined();
    await writeEntry(cache, ref, songFrames('64k', 5), other);
    expect(await readFrames((await cache.reader(ref, other))!)).toHaveLength(5);
    expect(await readFrames((await cache.reader(ref, format))!)).toHaveLength(3);
  });

  it('detects an entry truncated at any offset, removes it and reports a miss', async () => {
    const valid = await validEntryBytes();
    for (let length = 0; length < valid.length; length += 5) {
      const { cache, frames } = await readDamaged(valid.subarray(0, length));
      expect(frames, `truncated to ${length} of ${valid.length}`).toBeUndefined();
      expect(cache.has(ref, format)).toBe(false);
      expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, misses: 1 });
      expect(await filesIn(cacheDir.dir)).toEqual([]);
    }
  });

  it('detects a single flipped byte anywhere in the file', async () => {
    const valid = await validEntryBytes();
    for (let offset = 0; offset < valid.length; offset += 3) {
      const damaged = Buffer.from(valid);
      damaged[offset] = damaged[offset]! ^ 0x01;
      const { frames } = await readDamaged(damaged);
      expect(frames, `flipped at ${offset} of ${valid.length}`).toBeUndefined();
      expect(await filesIn(cacheDir.dir)).toEqual([]);
    }
  });

  it('detects bytes appended after a complete entry', async () => {
    const valid = await validEntryBytes();
    expect((await readDamaged(Buffer.concat([valid, Buffer.from('junk')]))).frames).toBeUndefined();
  });

  it('refuses an entry file holding another song, as a hash collision or a misplaced file would', async () => {
    const cache = await open();
    await writeEntry(cache, 'qq:other', songFrames('other', 4));
    await writeFile(join(cacheDir.dir, entryName), await readFile(join(cacheDir.dir, entryFileName('qq:other', formatKey(format)))));
    const reopened = await open();
    expect(await reopened.reader(ref, format)).toBeUndefined();
    expect(reopened.has('qq:other', format)).toBe(true);
  });

  it('fails the stream with CacheEntryCorruptError and drops the entry when the file changes under a reader', async () => {
    const cache = await open();
    await writeEntry(cache, ref, songFrames('song', 2_000));
    const frames = (await cache.reader(ref, format))!;
    await truncate(join(cacheDir.dir, entryName), 100_000); // after the up-front check, as a failing disk might
    const error = await readFrames(frames).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(CacheEntryCorruptError);
    expect((error as CacheEntryCorruptError).message).toMatch(/cached audio for qq:0039MnYb0qxYhV \(mp3-128k-44100-2ch\) .* is damaged/);
    await expect.poll(() => cache.has(ref, format)).toBe(false);
    await expect.poll(() => filesIn(cacheDir.dir)).toEqual([]);
  });

  it('reports a miss for a song never cached, and counts it', async () => {
    const cache = await open();
    expect(cache.has('qq:never', format)).toBe(false);
    expect(await cache.reader('qq:never', format)).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, maxBytes: 50_000_000, hits: 0, misses: 1, fills: 0, joined: 0, evictions: 0, unavailable: [] });
  });
});
