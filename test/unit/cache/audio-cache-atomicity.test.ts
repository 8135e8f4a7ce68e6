import { once } from 'node:events';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, formatKey, type Mp3Frame } from '../../../src/audio/index.js';
import { STALE_TEMP_AFTER_MS } from '../../../src/cache/defaults.js';
import { entryFileName } from '../../../src/cache/entry-name.js';
import { AudioCache, CacheEntryTooLargeError, CacheWriteError } from '../../../src/cache/index.js';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { captureLog } from '../../support/icecast.js';
import { asText, filesIn, songFrames, writeEntry, writeThrough } from './frames.js';
import { useCacheDir } from './cache-dir.js';
import { eachFrame, inBatches, readFrames } from '../../support/frames.js';

const format = DEFAULT_STREAM_FORMAT;
const ref = 'local:albums/a b/01:intro.flac';

const cacheDir = useCacheDir();

const open = cacheDir.open;

/** Writes frames a batch at a time, waiting for drain, so the test knows they reached the writer. */
async function writeFrames(writer: NodeJS.WritableStream, frames: Mp3Frame[]): Promise<void> {
  for (const batch of inBatches(frames)) {
    if (!writer.write(batch as never)) await once(writer, 'drain');
  }
}

describe('AudioCache writes', () => {
  it('makes an entry visible only when its writer ends', async () => {
    const cache = await open();
    const writer = cache.writer(ref, format);
    await writeFrames(writer, songFrames('song', 400)); // > 64 KiB: part of it is already on disk
    expect(cache.has(ref, format)).toBe(false);
    // A reader asking now follows the entry being written (it ends with the writer), not a committed one.
    const following = await cache.reader(ref, format);
    expect(following && 'done' in following).toBe(true);
    following!.destroy();
    expect((await filesIn(cacheDir.dir)).every((name) => name.endsWith('.tmp'))).toBe(true);
    writer.end();
    await once(writer, 'finish');
    expect(cache.has(ref, format)).toBe(true);
    expect(await filesIn(cacheDir.dir)).toEqual([entryFileName(ref, formatKey(format))]);
  });

  it('leaves nothing behind when a writer is destroyed midway', async () => {
    const cache = await open();
    const writer = cache.writer(ref, format);
    await writeFrames(writer, songFrames('song', 400));
    writer.destroy();
    await once(writer, 'close');
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('leaves nothing behind when the producer fails midway', async () => {
    const cache = await open();
    async function* dying() {
      yield* inBatches(songFrames('song', 300));
      throw new Error('ffmpeg exited with code 1');
    }
    expect(await writeThrough(dying(), cache.writer(ref, format))).toMatchObject({ message: 'ffmpeg exited with code 1' });
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('keeps the previous entry whole when a replacement is abandoned', async () => {
    const cache = await open();
    const original = songFrames('v1', 20);
    await writeEntry(cache, ref, original);
    const writer = cache.writer(ref, format);
    await writeFrames(writer, songFrames('v2', 400));
    writer.destroy();
    await once(writer, 'close');
    expect(asText(await readFrames((await cache.reader(ref, format))!))).toEqual(asText(original));
  });

  it('removes temp files of a crashed writer at open, but not ones a live writer may still be filling', async () => {
    const hash = entryFileName(ref, formatKey(format)).slice(0, 40);
    const crashed = join(cacheDir.dir, `${hash}.0123456789ab.tmp`);
    const live = join(cacheDir.dir, `${hash}.ba9876543210.tmp`);
    await writeFile(crashed, Buffer.alloc(5000));
    await writeFile(live, Buffer.alloc(5000));
    const longAgo = (Date.now() - STALE_TEMP_AFTER_MS - 60_000) / 1000;
    await utimes(crashed, longAgo, longAgo);
    const cache = await open();
    expect(await filesIn(cacheDir.dir)).toEqual([`${hash}.ba9876543210.tmp`]);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('gives up on a song bigger than the whole cache, with CacheEntryTooLargeError and no file', async () => {
    const cache = await open(20_000);
    const error = await writeThrough(inBatches(songFrames('long', 100)), cache.writer(ref, format));
    expect(error).toBeInstanceOf(CacheEntryTooLargeError);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('refuses something that is not an MP3 frame with CacheWriteError', async () => {
    const cache = await open();
    const error = await writeThrough([[{ bytes: 'text', samples: 1152 }]], cache.writer(ref, format));
    expect(error).toBeInstanceOf(CacheWriteError);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('refuses a write that is not a batch, even of one good frame, with CacheWriteError', async () => {
    const cache = await open();
    const [frame] = songFrames('song', 1);
    const error = await writeThrough([frame], cache.writer(ref, format));
    expect(error).toBeInstanceOf(CacheWriteError);
    expect((error as CacheWriteError).message).toMatch(/not a batch of frames/);
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('does not commit a song without frames', async () => {
    const cache = await open();
    const error = await writeThrough([], cache.writer(ref, format));
    expect(error).toBeInstanceOf(CacheWriteError);
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });
});

describe('AudioCache readers and writers together', () => {
  it('serves the old entry to a reader while a writer replaces it, and the new one afterwards', async () => {
    const cache = await open();
    const v1 = songFrames('v1', 600);
    const v2 = songFrames('v2', 700);
    await writeEntry(cache, ref, v1);
    const oldReader = (await cache.reader(ref, format))!;
    const writer = cache.writer(ref, format);
    const playing = eachFrame(oldReader);
    const heard: Mp3Frame[] = [];
    for (let index = 0; index < 100; index += 1) heard.push((await playing.next()).value as Mp3Frame);
    await writeFrames(writer, v2);
    writer.end();
    await once(writer, 'finish');
    for (let index = 0; index < v1.length; index += 1) {
      const next = await playing.next();
      if (next.done) break;
      heard.push(next.value);
    }
    expect(asText(heard)).toEqual(asText(v1));
    expect(asText(await readFrames((await cache.reader(ref, format))!))).toEqual(asText(v2));
    expect(cache.stats().entries).toBe(1);
  });

  it('serves two readers of one entry at the same time', async () => {
    const cache = await open();
    const frames = songFrames('song', 500);
    await writeEntry(cache, ref, frames);
    const [a, b] = await Promise.all([cache.reader(ref, format), cache.reader(ref, format)]);
    const [framesA, framesB] = await Promise.all([readFrames(a!), readFrames(b!)]);
    expect(asText(framesA)).toEqual(asText(frames));
    expect(asText(framesB)).toEqual(asText(frames));
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 0 });
  });

  it('reads ahead only a bounded number of frames when nobody consumes them', async () => {
    const cache = await open();
    await writeEntry(cache, ref, songFrames('song', 3_000));
    const reader = (await cache.reader(ref, format))!;
    reader.pause();
    reader.read(0); // start reading
    for (let tick = 0; tick < 20; tick += 1) await new Promise((resolve) => setTimeout(resolve, 2));
    // In batches: the stream's buffer is full at its high-water mark. The rest of one decoded 64 KiB chunk
    // (~156 frames of 418 bytes) may wait beside it, not yet pushed.
    expect(reader.readableLength).toBeGreaterThan(0);
    expect(reader.readableLength).toBeLessThanOrEqual(reader.readableHighWaterMark + 1);
    reader.destroy();
    await once(reader, 'close');
  });
});

describe('AudioCache.open', () => {
  it('creates the directory and rejects options that cannot work', async () => {
    const dir = join(cacheDir.dir, 'nested', 'cache');
    expect((await AudioCache.open({ dir, maxBytes: 1_000, logger: silentLogger() })).stats().entries).toBe(0);
    expect(await filesIn(cacheDir.dir)).toEqual(['nested']);
    await expect(AudioCache.open({ dir, maxBytes: 0, logger: silentLogger() })).rejects.toThrow(/maxBytes must be a whole number/);
    await expect(AudioCache.open({ dir, maxBytes: 1_000, logger: silentLogger(), maxEntries: 3 } as never)).rejects.toThrow(/unknown option\(s\) maxEntries/);
  });

  it('opens unavailable, naming the directory and why, when it cannot use the directory', async () => {
    const notADir = join(cacheDir.dir, 'file');
    await writeFile(notADir, 'x');
    const log = captureLog();
    const cache = await AudioCache.open({ dir: join(notADir, 'cache'), maxBytes: 1_000, logger: createLogger({ destination: log }) });
    expect(cache.stats().unavailable).toEqual(['ENOTDIR']);
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.err).toMatch(/cannot cache audio in .*file\/cache: a file is in the way of the folder \(ENOTDIR\)/);
  });
});
