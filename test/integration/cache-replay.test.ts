import { mkdir } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, transcode, type Mp3Frame } from '../../src/audio/index.js';
import { AudioCache } from '../../src/cache/index.js';
import { downloadToFile } from '../../src/download/index.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeMp3 } from '../support/decode.js';
import { makeTone } from '../support/fixtures.js';
import { readFrames } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const SECONDS = 6;
const format = DEFAULT_STREAM_FORMAT;
const ref = 'qq:0039MnYb0qxYhV';
const logger = silentLogger();

let temp: { dir: string; remove: () => Promise<void> };
let server: Server;
let songUrl: string;

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('cache-replay');
  // What QQ serves: AAC in MP4 with its index after the audio, behind a signed URL.
  const fixture = await makeTone({ path: join(temp.dir, 'aac-moov-at-end.m4a'), seconds: SECONDS, frequency: 440, format: 'm4a' });
  server = createServer((request, response) => {
    if (!request.url?.startsWith('/song.m4a?vkey=')) return void response.writeHead(403).end();
    response.writeHead(200, { 'content-type': 'audio/mp4' });
    createReadStream(fixture).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  songUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/song.m4a?vkey=SIGNED`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await temp?.remove();
});

const bytesOf = (frames: Mp3Frame[]) => Buffer.concat(frames.map((frame) => frame.bytes));

describe('a downloaded song, transcoded once, plays again from the cache', () => {
  it('replays byte for byte after a restart, and decodes cleanly to the whole song', async () => {
    const dest = join(temp.dir, 'downloads', 'song.m4a');
    await mkdir(join(temp.dir, 'downloads'));
    const cacheDir = join(temp.dir, 'cache');
    await downloadToFile({ url: songUrl, dest, logger });

    const cache = await AudioCache.open({ dir: cacheDir, maxBytes: 50 * 1024 * 1024, logger });
    expect(await cache.reader(ref, format)).toBeUndefined(); // first play: not cached yet
    const filling = cache.fill(ref, format, () => transcode({ input: dest, format, logger }), () => undefined);
    const played = await readFrames(filling!);
    await filling!.done;
    expect(played.length).toBeGreaterThan(200);

    const restarted = await AudioCache.open({ dir: cacheDir, maxBytes: 50 * 1024 * 1024, logger });
    expect(restarted.has(ref, format)).toBe(true);
    const replayed = await readFrames((await restarted.reader(ref, format))!);
    expect(replayed.map((frame) => frame.samples)).toEqual(played.map((frame) => frame.samples));
    expect(bytesOf(replayed).equals(bytesOf(played))).toBe(true);

    const decoded = await decodeMp3(bytesOf(replayed));
    expect(decoded.errors).toEqual([]);
    expect(decoded.sampleRate).toBe(format.sampleRate);
    expect(Math.abs(decoded.durationSec - SECONDS)).toBeLessThan(0.1);
    expect(restarted.stats()).toMatchObject({ entries: 1, hits: 1, misses: 0 });
  });
});
