import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gainSteps, GAIN_STEP_DB } from '../../src/audio/index.js';
import { createStore } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { playableSong, startFakeRelay, type FakeAnswer, type FakeRelay } from '../support/fake-relay.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { makeLoudTone } from '../support/loudness.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

const TOKEN = 'eyJhbGJ1bS9zb25nLmZsYWMiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLW9mLXRoZS1maWxlLXVybA';

/** The relay's answer for a local file: a signed URL whose path is the credential. */
function localFileSong(ref: string): FakeAnswer {
  const answer = playableSong(ref);
  const body = answer.body as { audio: object };
  return { ...answer, body: { ...body, audio: { ...body.audio, url: `http://127.0.0.1:8780/v1/files/${TOKEN}`, format: 'flac' } } };
}

describe('relaycast song never prints a usable file URL unless asked', () => {
  let relay: FakeRelay;
  const cli = (...args: string[]) => runCli(['song', 'local:album/song.flac', ...args], { env: { RELAY_URL: relay.url, RELAY_TOKEN: 'secret' } });

  beforeAll(async () => {
    relay = await startFakeRelay({ token: 'secret', song: (ref) => localFileSong(ref) });
  });

  afterAll(async () => {
    await relay?.stop();
  });

  it('text and JSON show the relay file URL without its token', async () => {
    for (const result of [await cli(), await cli('--json')]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('http://127.0.0.1:8780/v1/files/…');
      expect(result.stdout).not.toContain(TOKEN.slice(0, 12));
    }
  });

  it('--show-url prints the whole URL', async () => {
    const result = await cli('--show-url');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`/v1/files/${TOKEN}`);
  });
});

describe('relaycast song after a worker played the song', () => {
  const SONG_SECONDS = 4;
  const MADE_LUFS = -24;
  let icecast: IcecastServer;
  let redis: RedisServer;
  let client: Redis;
  let relay: FakeRelay;
  let files: Server;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'icecast2', 'redis-server');
    temp = await makeTempDir('cli-song-loudness');
    const path = join(temp.dir, 'quiet.mp3');
    await makeLoudTone({ path, seconds: SONG_SECONDS, frequency: 440, lufs: MADE_LUFS });
    const audio = await readFile(path);
    files = createServer((_request, response) => void response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length }).end(audio));
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const audioUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}/quiet.mp3`;
    const song = (ref: string): FakeAnswer => {
      const answer = playableSong(ref);
      const body = answer.body as { audio: object };
      return { ...answer, body: { ...body, durationMs: SONG_SECONDS * 1000, audio: { ...body.audio, url: audioUrl, format: 'mp3' } } };
    };
    [icecast, redis, relay] = await Promise.all([startIcecast(), startRedis(), startFakeRelay({ token: 'secret', song })]);
    client = redis.client();
    const store = createStore(client);
    await store.playlists.create('quiet');
    await store.playlists.add('quiet', ['netease:5']);
    await store.stations.create('quiet', { mount: '/quiet.mp3', playlist: 'quiet' });
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: relay.url, token: 'secret' },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    files?.close();
    await temp?.remove();
  });

  it('shows the loudness its transcode measured and the gain the station applies; cache stats counts it', async () => {
    // The worker records the figures when the transcode into its disk cache commits: seconds for a 4 s song.
    await vi.waitFor(async () => expect(await client.exists('relaycast:song-loudness:netease:5'), 'loudness recorded in Redis').toBe(1), { timeout: 30_000, interval: 100 });
    const env = { REDIS_URL: redis.url, RELAY_URL: relay.url, RELAY_TOKEN: 'secret' };
    const json = await runCli(['song', 'netease:5', '--json'], { env });
    expect(json.code).toBe(0);
    const { loudness } = JSON.parse(json.stdout) as { loudness: { measured: boolean; integratedLufs: number; truePeakDb: number; stations: { station: string; gainDb: number }[] } };
    expect(loudness.measured).toBe(true);
    // Made at -24 LUFS (mp3), measured in the worker's transcode after resampling: within 1 LU.
    expect(Math.abs(loudness.integratedLufs - MADE_LUFS), `measured ${loudness.integratedLufs} LUFS`).toBeLessThanOrEqual(1);
    const gainDb = gainSteps(-16, loudness) * GAIN_STEP_DB;
    expect(gainDb).toBeGreaterThan(0);
    expect(loudness.stations).toEqual([{ station: 'quiet', targetLufs: -16, gainDb }]);

    const text = await runCli(['song', 'netease:5'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  loudness: ${loudness.integratedLufs.toFixed(1)} LUFS, true peak ${loudness.truePeakDb.toFixed(1)} dBTP\n`);
    expect(text.stdout).toContain(`  gain:     +${gainDb.toFixed(1)} dB for the target -16 LUFS (quiet)\n`);

    const stats = await runCli(['cache', 'stats', '--json'], { env });
    expect(JSON.parse(stats.stdout).loudness).toMatchObject({ measured: 1, minLufs: loudness.integratedLufs, maxLufs: loudness.integratedLufs });
  });
});
