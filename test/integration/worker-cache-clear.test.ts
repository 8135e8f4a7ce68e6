import { createServer, type Server } from 'node:http';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { playableSong, startFakeRelay, unplayableSong, type FakeAnswer, type FakeRelay } from '../support/fake-relay.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

/** A relay file token: the URL alone opens the file, so it must never reach a log line. */
const FILE_TOKEN = 'eyJzb25nLm1wMyI6OTk5OTk5OTk5OX0.dG9rZW4tdGhhdC1vcGVucy10aGUtZmlsZQ';
const SONG_MS = 3_000;

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a running worker and `relaycast cache clear`', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let client: Redis;
  let store: Store;
  let relay: FakeRelay;
  let files: Server;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess;
  const asked = (ref: string) => relay.requests.filter((request) => decodeURIComponent(request.path) === `/v1/songs/${ref}`).length;
  /** The disk cache's files, each as name, inode and mtime: an entry written again after a clear is a new file. */
  const cachedAudio = async () => {
    const dir = join(temp.dir, 'cache', 'audio');
    const names = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.rcaf'));
    const files = await Promise.all(
      names.map(async (name) => {
        const found = await stat(join(dir, name)).catch(() => undefined);
        return found ? `${name}@${found.ino}@${found.mtimeMs}` : undefined;
      }),
    );
    return files.filter((file) => file !== undefined);
  };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('cache-clear');
    const audio = await readFile(await makeTone({ path: join(temp.dir, 'song.mp3'), seconds: SONG_MS / 1000, frequency: 500, format: 'mp3' }));
    // The relay's file route as the worker sees it: the token in the path is the whole credential.
    files = createServer((request, response) => {
      if (request.url !== `/v1/files/${FILE_TOKEN}`) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length }).end(audio);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
    const song = (ref: string): FakeAnswer => {
      if (ref === 'netease:1') return unplayableSong(ref, 'no-rights');
      const answer = playableSong(ref);
      const body = answer.body as { audio: object };
      return { ...answer, body: { ...body, durationMs: SONG_MS, audio: { ...body.audio, url: `${filesUrl}/v1/files/${FILE_TOKEN}`, format: 'mp3' } } };
    };
    [icecast, redis, relay] = await Promise.all([startIcecast(), startRedis(), startFakeRelay({ token: 'secret', song })]);
    client = redis.client();
    store = createStore(client);
    await store.playlists.create('loop');
    await store.playlists.add('loop', ['netease:1', 'netease:2']);
    await store.stations.create('loop', { mount: '/loop.mp3', playlist: 'loop' });
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: relay.url, token: 'secret' },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    files?.close();
    await temp?.remove();
  });

  it('forgets the songs it remembered unplayable and empties its disk cache of audio', async () => {
    // Twice round the list: the unplayable song is asked about once, then remembered; the other is cached.
    const playsOf2 = () => worker.events.filter((event) => event.msg === 'now playing' && event.song === 'netease:2').length;
    await worker.waitForEvent(() => playsOf2() >= 3, 30_000);
    expect(asked('netease:1')).toBe(1);
    await eventually(async () => (await cachedAudio()).length > 0, 10_000, 'audio in the disk cache');
    const before = await cachedAudio();

    const result = await runCli(['cache', 'clear'], { env: { REDIS_URL: redis.url } });
    expect(result.code).toBe(0);
    await worker.waitForEvent((event) => event.msg.startsWith('caches cleared'), 5_000);
    // The song on air may be cached again at once: judge the files that were there before.
    const left = await cachedAudio();
    expect(before.filter((name) => left.includes(name))).toEqual([]);
    // Next time round the list the relay is asked again.
    await eventually(async () => asked('netease:1') === 2, 15_000, 'netease:1 asked again');
  });

  it('no worker log line carries a usable relay file token', () => {
    expect(worker.events.some((event) => JSON.stringify(event).includes('/v1/files/'))).toBe(true);
    expect(JSON.stringify(worker.events)).not.toContain(FILE_TOKEN.slice(0, 16));
    expect(JSON.stringify(worker.events)).not.toContain(FILE_TOKEN.slice(-16));
  });

  it('records the end of a song: `now` shows a station that has nothing left as silent', async () => {
    await store.playlists.create('once');
    await store.playlists.add('once', ['netease:3']);
    const marker = worker.events.length;
    await store.stations.create('once', { mount: '/once.mp3', playlist: 'once', repeat: false });
    await worker.waitForEvent((event) => event.msg === 'now playing' && event.station === 'once' && worker.events.indexOf(event) >= marker, 20_000);
    await eventually(async () => (await store.playback.getNowPlaying('once'))?.ref === 'netease:3', 2_000, 'now playing recorded');
    // Its one song ends: the record goes within the song's length and the pacing lead, not minutes later.
    await eventually(async () => (await store.playback.getNowPlaying('once')) === null, SONG_MS + 5_000, 'now playing cleared');
  });
});
