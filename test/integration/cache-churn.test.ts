import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, type Mp3Frame } from '../../src/audio/index.js';
import { AudioCache } from '../../src/cache/index.js';
import { silentLogger } from '../../src/log/index.js';
import { eachFrame, inBatches } from '../support/frames.js';
import { seeded } from '../support/seeded-random.js';
import { makeTempDir } from '../support/tmp.js';

const format = DEFAULT_STREAM_FORMAT;
const SONGS = 24;
const STATIONS = 4;
const PLAYS_PER_STATION = 30;
/** ~418-byte frames, 100-700 per song: the cache holds about eight average songs. */
const MAX_BYTES = 8 * 400 * 420;

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('cache-churn');
});
afterEach(async () => {
  await temp.remove();
});

/** Each song always transcodes to the same frames, so whatever the cache serves can be checked exactly. */
function framesOf(song: number): Mp3Frame[] {
  const count = 100 + ((song * 7919) % 600);
  return Array.from({ length: count }, (_, index) => ({ bytes: Buffer.alloc(417 + (index % 2), `song-${song}#${index};`), samples: 1152 }));
}

const refOf = (song: number) => `qq:song/${song}`;

/** Reads `limit` frames (all when undefined), then stops as a skip would. */
async function play(frames: Readable, limit?: number): Promise<Mp3Frame[]> {
  const heard: Mp3Frame[] = [];
  for await (const frame of eachFrame(frames)) {
    heard.push(frame);
    if (limit !== undefined && heard.length >= limit) break;
    if (heard.length % 64 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the other stations run
  }
  return heard;
}

const same = (a: Mp3Frame[], b: Mp3Frame[]) => a.length === b.length && a.every((frame, index) => frame.bytes.equals(b[index]!.bytes));

describe('AudioCache under several stations at once', () => {
  it('stays within maxBytes, serves only whole songs, and leaves the directory consistent', async () => {
    const cache = await AudioCache.open({ dir: temp.dir, maxBytes: MAX_BYTES, logger: silentLogger() });
    const random = seeded(20240611);
    const problems: string[] = [];

    async function station(): Promise<void> {
      for (let round = 0; round < PLAYS_PER_STATION; round += 1) {
        const song = Math.floor(random() * SONGS);
        const skipAt = random() < 0.2 ? Math.floor(random() * 100) + 1 : undefined;
        const cached = await cache.reader(refOf(song), format);
        if (cached) {
          const heard = await play(cached, skipAt);
          const expected = framesOf(song);
          if (!same(heard, skipAt === undefined ? expected : expected.slice(0, heard.length))) problems.push(`song ${song} served wrong frames`);
        } else {
          // Transcoded into the cache while it plays; a skip leaves the fill to finish, as in a station.
          const filling = cache.fill(refOf(song), format, () => Readable.from(inBatches(framesOf(song))), () => undefined);
          if (!filling) problems.push(`song ${song}: the cache refused a fill`);
          else {
            const heard = await play(filling, skipAt);
            const expected = framesOf(song);
            if (!same(heard, skipAt === undefined ? expected : expected.slice(0, heard.length))) problems.push(`song ${song} served wrong frames while filling`);
            await filling.done;
          }
        }
        if (cache.stats().bytes > MAX_BYTES) problems.push(`over the bound: ${cache.stats().bytes} > ${MAX_BYTES}`);
      }
    }

    await Promise.all(Array.from({ length: STATIONS }, () => station()));
    expect(problems).toEqual([]);

    const stats = cache.stats();
    expect(stats.hits).toBeGreaterThan(10);
    expect(stats.misses).toBeGreaterThan(10);
    const names = await readdir(temp.dir);
    expect(names.filter((name) => !name.endsWith('.rcaf'))).toEqual([]); // no temp file survived
    expect(names).toHaveLength(stats.entries);
    const onDisk = (await Promise.all(names.map((name) => stat(join(temp.dir, name))))).reduce((sum, info) => sum + info.size, 0);
    expect(onDisk).toBe(stats.bytes);
    expect(onDisk).toBeLessThanOrEqual(MAX_BYTES);

    for (let song = 0; song < SONGS; song += 1) {
      if (!cache.has(refOf(song), format)) continue;
      expect(same(await play((await cache.reader(refOf(song), format))!), framesOf(song)), `song ${song}`).toBe(true);
    }
  });
});
