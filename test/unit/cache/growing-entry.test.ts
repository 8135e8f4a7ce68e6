import { mkdtemp, open, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, TranscodeError, type Mp3Frame, type Mp3FrameBatch } from '../../../src/audio/index.js';
import { CacheFillError } from '../../../src/cache/index.js';
import { IO_CHUNK_BYTES } from '../../../src/cache/defaults.js';
import { FRAME_PREFIX_BYTES } from '../../../src/cache/entry-format.js';
import { FILL_CONCURRENCY } from '../../../src/cache/fill-slots.js';
import { withFillFallback } from '../../../src/frame-loader/fill-fallback.js';
import { silentLogger } from '../../../src/log/index.js';
import { inBatches, readFrames } from '../../support/frames.js';
import { useCacheDir } from './cache-dir.js';
import { asText, songFrames } from './frames.js';

const format = DEFAULT_STREAM_FORMAT;
const cacheDir = useCacheDir();

/** The song's batches, each after `delayMs`: a transcode slower than the reader. */
function slowly(frames: Mp3Frame[], delayMs: number): Readable {
  async function* batches(): AsyncGenerator<Mp3FrameBatch> {
    for (const batch of inBatches(frames)) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      yield batch;
    }
  }
  return Readable.from(batches(), { objectMode: true, highWaterMark: 1 });
}

describe('a song played while it is transcoded into the cache', () => {
  it('plays every frame once, in order, from its first batch on, and leaves a committed entry', async () => {
    const cache = await cacheDir.open();
    const frames = songFrames('slow', 300);
    const filling = cache.fill('song:slow', format, () => slowly(frames, 5), () => undefined)!;
    const firstBatch = await new Promise<Mp3FrameBatch>((resolve) => filling.once('data', resolve));
    expect(filling.readableEnded).toBe(false);
    const rest = await readFrames(filling);
    expect(asText([...firstBatch, ...rest])).toEqual(asText(frames));
    await filling.done;
    expect(cache.has('song:slow', format)).toBe(true);
    expect(cache.stats()).toMatchObject({ fills: 1, entries: 1 });
  });

  it('shares one transcode between stations asking for the song while it is written', async () => {
    const cache = await cacheDir.open();
    const frames = songFrames('shared', 300);
    let transcodes = 0;
    const first = cache.fill('song:shared', format, () => (transcodes += 1, slowly(frames, 5)), () => undefined)!;
    const second = await cache.reader('song:shared', format);
    expect(second).toBeDefined();
    // A station that missed the cache at the same moment (its download took as long) joins at fill time.
    const third = cache.fill('song:shared', format, () => (transcodes += 1, slowly(frames, 5)), () => undefined)!;
    const [a, b, c] = await Promise.all([readFrames(first), readFrames(second!), readFrames(third)]);
    expect(asText(a)).toEqual(asText(frames));
    expect(asText(b)).toEqual(asText(frames));
    expect(asText(c)).toEqual(asText(frames));
    expect(transcodes).toBe(1);
    expect(cache.stats()).toMatchObject({ fills: 1, joined: 2 });
  });

  it('lets a fill that reads the network go beside the fill slots: a trickling source holds up no other song', async () => {
    const cache = await cacheDir.open();
    // As many as there are fill slots, each never ending on its own (ffmpeg reading a URL at 1 byte/s until its deadline).
    const trickling = Array.from({ length: FILL_CONCURRENCY }, (_, index) =>
      cache.fill(`song:trickle-${index}`, format, () => new Readable({ objectMode: true, read() {} }), () => undefined, { readsNetwork: true })!,
    );
    const others = ['song:one', 'song:two'].map((ref) => ({ ref, frames: songFrames(ref, 100) }));
    const fills = others.map(({ ref, frames }) => cache.fill(ref, format, () => Readable.from(inBatches(frames), { objectMode: true }), () => undefined)!);
    const played = await Promise.all(fills.map((filling) => readFrames(filling)));
    played.forEach((frames, index) => expect(asText(frames)).toEqual(asText(others[index]!.frames)));
    for (const filling of trickling) filling.destroy();
  });

  it('goes on from the transcode itself when the cache fails midway, no frame lost or played twice', async () => {
    // Room for about a third of the song: the entry outgrows the cache midway.
    const cache = await cacheDir.open(50_000);
    const frames = songFrames('big', 300);
    const source = () => Readable.from(inBatches(frames), { objectMode: true });
    const filling = cache.fill('song:big', format, source, () => undefined)!;
    const played = await readFrames(withFillFallback(filling, source, silentLogger()));
    expect(asText(played)).toEqual(asText(frames));
    await filling.done;
    expect(cache.has('song:big', format)).toBe(false);
    expect((await readdir(cacheDir.dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with the CacheFillError itself when nothing takes over', async () => {
    const cache = await cacheDir.open(50_000);
    const filling = cache.fill('song:big', format, () => Readable.from(inBatches(songFrames('big', 300)), { objectMode: true }), () => undefined)!;
    await expect(readFrames(filling)).rejects.toBeInstanceOf(CacheFillError);
  });

  it('ends with the transcode\'s own error when the song fails, and no second transcode is started', async () => {
    const cache = await cacheDir.open();
    const failure = new TranscodeError('ffmpeg exited with code 1', { input: 'song.m4a', exitCode: 1, framesBefore: 64 });
    async function* dying(): AsyncGenerator<Mp3FrameBatch> {
      yield* inBatches(songFrames('dying', 64));
      throw failure;
    }
    const filling = cache.fill('song:dying', format, () => Readable.from(dying(), { objectMode: true }), () => undefined)!;
    let fallbacks = 0;
    const played = readFrames(withFillFallback(filling, () => (fallbacks += 1, Readable.from([])), silentLogger()));
    await expect(played).rejects.toBe(failure);
    expect(fallbacks).toBe(0);
    expect(cache.has('song:dying', format)).toBe(false);
  });

  it('hands a waiting reader each batch as soon as it is written, not once a whole I/O piece has gathered', async () => {
    const cache = await cacheDir.open();
    const frames = songFrames('held', 64);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* firstBatchThenHold(): AsyncGenerator<Mp3FrameBatch> {
      const [first, ...rest] = inBatches(frames);
      yield first!;
      await held; // the transcode has nothing more for now (a slow source)
      yield* rest;
    }
    const filling = cache.fill('song:held', format, () => Readable.from(firstBatchThenHold(), { objectMode: true, highWaterMark: 1 }), () => undefined)!;
    const firstBatch = await new Promise<Mp3FrameBatch>((resolve) => filling.once('data', resolve));
    expect(asText([...firstBatch])).toEqual(asText(frames.slice(0, firstBatch.length)));
    release();
    expect(asText([...firstBatch, ...(await readFrames(filling))])).toEqual(asText(frames));
  });

  it('writes the payload in IO_CHUNK_BYTES pieces while its reader has frames to play', async () => {
    const cache = await cacheDir.open();
    const frames = songFrames('pieces', 1200); // ~500 KB: a 33 s song at 128 kb/s
    const handle = await open(join(await mkdtemp(join(tmpdir(), 'relaycast-write-count-')), 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(handle) as { write: (...args: unknown[]) => Promise<unknown> };
    await handle.close();
    const write = fileHandle.write;
    let writes = 0;
    fileHandle.write = function (this: unknown, ...args: unknown[]) {
      writes += 1;
      return write.apply(this, args);
    };
    try {
      const filling = cache.fill('song:pieces', format, () => Readable.from(inBatches(frames), { objectMode: true }), () => undefined)!;
      await filling.done; // nobody read meanwhile: a reader with frames in hand
      const payloadBytes = frames.reduce((sum, frame) => sum + frame.bytes.length + FRAME_PREFIX_BYTES, 0);
      // The pieces, the last partial one, and the header at commit.
      expect(writes).toBeLessThanOrEqual(Math.ceil(payloadBytes / IO_CHUNK_BYTES) + 2);
      expect(asText(await readFrames(filling))).toEqual(asText(frames));
    } finally {
      fileHandle.write = write;
    }
  });
});

