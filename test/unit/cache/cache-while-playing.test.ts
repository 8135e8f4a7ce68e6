import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, type Mp3Frame } from '../../../src/audio/index.js';
import { WRITER_DRAIN_TIMEOUT_MS } from '../../../src/cache/defaults.js';
import { cacheWhilePlaying } from '../../../src/cache/index.js';
import { asText, closed, filesIn, songFrames } from './frames.js';
import { useCacheDir } from './cache-dir.js';
import { eachFrame, inBatches, readFrames } from '../../support/frames.js';

const format = DEFAULT_STREAM_FORMAT;
const ref = 'qq:0039MnYb0qxYhV';

const cacheDir = useCacheDir();

const open = cacheDir.open;

/** A transcoder stand-in that yields `frames` (in batches) and then dies, as ffmpeg does on a broken file. */
function failingAfter(frames: Mp3Frame[]): Readable {
  return Readable.from(
    (async function* () {
      yield* inBatches(frames);
      throw new Error('ffmpeg exited with code 1: Invalid data found when processing input');
    })(),
  );
}

describe('cacheWhilePlaying', () => {
  it('plays every frame and caches the song when the source ends normally', async () => {
    const cache = await open();
    const frames = songFrames('song', 800);
    const writer = cache.writer(ref, format);
    const played = await readFrames(cacheWhilePlaying(Readable.from(inBatches(frames)), writer));
    expect(asText(played)).toEqual(asText(frames));
    await closed(writer);
    expect(asText(await readFrames((await cache.reader(ref, format))!))).toEqual(asText(frames));
  });

  it('leaves no entry when the source fails midway, and passes the failure on to the player', async () => {
    const cache = await open();
    const writer = cache.writer(ref, format);
    const error = await readFrames(cacheWhilePlaying(failingAfter(songFrames('song', 400)), writer)).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ message: expect.stringMatching(/ffmpeg exited/) });
    await closed(writer);
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('leaves no entry when the song is skipped before its end, and stops the source', async () => {
    const cache = await open();
    const source = Readable.from(inBatches(songFrames('song', 2_000)));
    const writer = cache.writer(ref, format);
    const playing = cacheWhilePlaying(source, writer);
    let heard = 0;
    for await (const _frame of eachFrame(playing)) {
      heard += 1;
      if (heard === 300) break; // the listener skips: leaving the loop destroys the stream
    }
    await closed(writer);
    expect(source.destroyed).toBe(true);
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });

  it('keeps playing when caching fails, here a song larger than the cache', async () => {
    const cache = await open(20_000);
    const frames = songFrames('song', 500);
    const writer = cache.writer(ref, format);
    const played = await readFrames(cacheWhilePlaying(Readable.from(inBatches(frames)), writer));
    expect(played).toHaveLength(frames.length);
    await closed(writer);
    expect(cache.has(ref, format)).toBe(false);
    expect(await filesIn(cacheDir.dir)).toEqual([]);
  });
});

describe('cacheWhilePlaying with a disk that does not keep up', () => {
  it('drops a writer that takes no batch within WRITER_DRAIN_TIMEOUT_MS and plays every frame', async () => {
    // A disk that never answers: the first write is taken and never completes.
    const stuck = new Writable({ objectMode: true, highWaterMark: 1, write: () => {} });
    const frames = songFrames('song', 400);
    const started = performance.now();
    const played = await readFrames(cacheWhilePlaying(Readable.from(inBatches(frames)), stuck));
    expect(played).toHaveLength(frames.length);
    expect(stuck.destroyed).toBe(true);
    // One wait for the stuck writer, then none: bounded by the timeout, whatever the song's length.
    expect(performance.now() - started).toBeLessThan(WRITER_DRAIN_TIMEOUT_MS * 4);
  });
});
