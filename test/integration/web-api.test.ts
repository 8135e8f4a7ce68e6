import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchListeners } from '../../src/cli/commands/icecast-status.js';
import { silentLogger } from '../../src/log/index.js';
import { createRelayServer, type RelayServer } from '../../src/relay/index.js';
import { closeRedis, connectRedis, createStore, LONG_RUNNING_REDIS_OPTIONS, type PlayedSong, type Store } from '../../src/store/index.js';
import { loadStaticFiles, WebServer, type StationView } from '../../src/web/index.js';
import { startCdnServer, type CdnServer } from '../support/cdn-server.js';
import { runCli } from '../support/cli.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { freePort } from '../support/ports.js';
import { requirePrograms } from '../support/prereq.js';
import { neteaseSongUrlReplyFor } from '../support/recorded-upstream.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { openSse } from '../support/sse-client.js';
import { makeTempDir } from '../support/tmp.js';
import { RECORDED_NETEASE_SONG, recordedReply, startRecordedUpstream, type RecordedUpstream } from '../support/upstream.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

const STATION = '晚间 jazz';
const path = (name: string) => `/${encodeURIComponent(name)}`;

const song = (index: number, startedAt: number): PlayedSong => ({
  ref: `local:song-${index}.mp3`,
  title: `第${index}首歌`,
  artist: '周杰伦',
  startedAt,
  durationMs: 180_000,
  source: 'playlist',
  position: index,
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The web service in this process on `store`; Icecast is a closed port (listeners unknown). */
async function startWeb(store: Store): Promise<WebServer> {
  return new WebServer({
    store,
    host: '127.0.0.1',
    port: 0,
    icecastPublicUrl: 'http://radio.example.com:8000/',
    fetchListeners: async () => fetchListeners(`http://127.0.0.1:${await freePort()}`),
    staticFiles: await loadStaticFiles(),
    logger: silentLogger(),
    maxSseClients: 3,
    heartbeatMs: 500,
  });
}

/** The web service in this process against a real Redis. */
describe('relaycast web: API, event stream and pages', () => {
  let redis: RedisServer;
  let store: Store;
  let server: WebServer;
  let base: string;

  beforeAll(async () => {
    redis = await startRedis();
    store = createStore(await connectRedis(redis.url, LONG_RUNNING_REDIS_OPTIONS));
    await store.playlists.create('evening');
    await store.playlists.add('evening', ['local:song-1.mp3', 'local:song-2.mp3', 'local:song-3.mp3']);
    await store.stations.create(STATION, { mount: '/jazz.mp3', playlist: 'evening' });
    await store.playback.appendHistory(STATION, song(1, Date.now() - 10_000));
    await store.playback.setNowPlaying(STATION, song(1, Date.now() - 10_000));
    server = await startWeb(store);
    base = await server.listen();
  });

  afterAll(async () => {
    await server?.close();
    if (store) await closeRedis(store.redis);
    await redis?.stop();
  });

  it('answers a station as JSON: the song playing, the next song, the history and the stream URL, readable from any origin', async () => {
    const answer = await call(`${base}/api/stations${path(STATION)}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    const view = JSON.parse(answer.body) as StationView;
    expect(view).toMatchObject({
      name: STATION,
      mount: '/jazz.mp3',
      streamUrl: 'http://radio.example.com:8000/jazz.mp3',
      playing: { title: '第1首歌', artist: '周杰伦', durationMs: 180_000, coverUrl: null },
      next: { ref: 'local:song-1.mp3', coverUrl: null },
      listeners: null,
    });
    expect(view.playing!.elapsedMs).toBeGreaterThanOrEqual(10_000);
    expect(view.history.map((entry) => entry.title)).toEqual(['第1首歌']);
    const all = JSON.parse((await call(`${base}/api/stations`)).body) as StationView[];
    expect(all.map((station) => station.name)).toEqual([STATION]);
  });

  it('answers 404 JSON for an unknown station, 405 for anything but GET and HEAD', async () => {
    const missing = await call(`${base}/api/stations/nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('station-not-found');
    expect((await call(`${base}/api/stations/nope/events`)).status).toBe(404);
    expect((await call(`${base}/nope`)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const refused = await call(`${base}/api/stations${path(STATION)}`, method);
      expect(refused.status).toBe(405);
      expect(refused.headers.allow).toBe('GET, HEAD');
    }
    expect(await store.playback.getNowPlaying(STATION)).toMatchObject({ title: '第1首歌' });
  });

  it('serves the pages as UTF-8 HTML that load only their own scripts', async () => {
    for (const page of ['/', path(STATION)]) {
      const answer = await call(`${base}${page}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.body).toMatch(/<html lang="en">/);
      expect(answer.body).not.toMatch(/https?:\/\//);
    }
    // A cover comes from the music service's CDN: it is told nothing of the page that shows it.
    expect((await call(`${base}${path(STATION)}`)).body).toMatch(/<img id="cover"[^>]* alt=""[^>]* referrerpolicy="no-referrer"/);
    expect((await call(`${base}/static/station.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await call(`${base}/static/..%2Fserver.ts`)).status).toBe(404);
  });

  it('streams now-playing at connect and again only when the song changes', async () => {
    const client = await openSse(`${base}/api/stations${path(STATION)}/events`);
    try {
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const first = await client.next((message) => message.event === 'now-playing', 2_000, 0);
      expect(JSON.parse(first.data).playing.title).toBe('第1首歌');
      // Two polling rounds pass with the same song: nothing is sent.
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect(client.events).toHaveLength(1);
      const changed = client.next((message) => message.event === 'now-playing', 2_000);
      const setAt = performance.now();
      await store.playback.setNowPlaying(STATION, song(2, Date.now()));
      const event = await changed;
      expect(JSON.parse(event.data).playing.title).toBe('第2首歌');
      expect(event.at - setAt).toBeLessThan(1_500);
      // Idle streams carry heartbeat comments, which EventSource ignores.
      expect(client.comments).toContain('heartbeat');
    } finally {
      client.close();
    }
  });

  it('refuses event streams past the limit with 503, and takes new ones once others close', async () => {
    const url = `${base}/api/stations${path(STATION)}/events`;
    const open = await Promise.all([openSse(url), openSse(url), openSse(url)]);
    const refused = await call(url);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe('too-many-streams');
    open[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await openSse(url);
    expect(again.status).toBe(200);
    for (const client of [...open, again]) client.close();
  });

  it('tells the open streams when their station is removed, and ends them', async () => {
    await store.playlists.create('other');
    await store.stations.create('brief', { mount: '/brief.mp3', playlist: 'other' });
    const client = await openSse(`${base}/api/stations/brief/events`);
    await client.next((message) => message.event === 'now-playing', 2_000, 0);
    await store.stations.remove('brief');
    await client.next((message) => message.event === 'station-removed', 3_000);
    await client.ended;
  });

  it('passes a recorded http(s) cover to the pages, and none that is not http(s)', async () => {
    const cover = 'https://p2.music.126.net/zE8AlLt_Fm1BT8LRROIXgg==/109951162949487525.jpg';
    await store.playback.appendHistory(STATION, { ...song(3, Date.now() - 5_000), coverUrl: 'javascript:alert(1)' });
    await store.playback.appendHistory(STATION, { ...song(4, Date.now()), coverUrl: cover });
    await store.playback.setNowPlaying(STATION, { ...song(4, Date.now()), coverUrl: cover });
    const view = JSON.parse((await call(`${base}/api/stations${path(STATION)}`)).body) as StationView;
    expect(view.playing).toMatchObject({ title: '第4首歌', coverUrl: cover });
    expect(view.history.slice(0, 3).map((entry) => [entry.title, entry.coverUrl])).toEqual([
      ['第4首歌', cover],
      ['第3首歌', null],
      ['第1首歌', null],
    ]);
  });

  it('`relaycast web` refuses bad settings with one line on stderr and exit 2, an unreachable Redis with exit 4', async () => {
    const missing = await runCli(['web']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('relaycast: config: REDIS_URL: is required: the stations live in Redis, e.g. redis://127.0.0.1:6379\n');
    const badPort = await runCli(['web'], { env: { REDIS_URL: redis.url, WEB_PORT: 'http' } });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim().split('\n')).toEqual(['relaycast: config: WEB_PORT: must be a port number 0-65535, got "http"']);
    const away = await runCli(['web'], { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    expect(away.code).toBe(4);
    expect(away.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('answers 503 JSON while Redis is away, and the station again once it is back', async () => {
    const url = `${base}/api/stations${path(STATION)}`;
    await redis.kill();
    try {
      const away = await call(url);
      expect(away.status).toBe(503);
      expect(JSON.parse(away.body).error.code).toBe('store-unavailable');
    } finally {
      await redis.start();
    }
    let back = await call(url);
    for (let poll = 0; poll < 50 && back.status !== 200; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = await call(url);
    }
    expect(back.status).toBe(200);
  });
});

/*
 * A NetEase song end to end: the recorded detail answer (with its album cover) and song-URL answer on a
 * loopback upstream, its audio URL pointed at a loopback CDN serving a tone; a real relay, worker, Icecast
 * and Redis. The cover the relay answers reaches the API, and still does when a restarted worker takes the
 * song from the caches without asking the relay.
 */
describe('relaycast web: a music service song shows its cover', () => {
  const ref = RECORDED_NETEASE_SONG.ref;
  const cover = RECORDED_NETEASE_SONG.coverUrl;
  let temp: { dir: string; remove: () => Promise<void> };
  let icecast: IcecastServer;
  let redis: RedisServer;
  let store: Store;
  let cdn: CdnServer;
  let upstream: RecordedUpstream;
  let relay: RelayServer;
  let worker: WorkerProcess | undefined;
  let server: WebServer;
  let base: string;

  const detailRequests = () => upstream.requests.filter((seen) => seen.path === '/netease/song/detail').length;
  const startTheWorker = async () =>
    (worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: relay.url, token: 'web-cover-test-token-0123' },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    }));
  /** The station's view once the song is on air and in the history (two writes), recorded at `after` or later. */
  const playingSince = async (after: number): Promise<StationView> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = JSON.parse((await call(`${base}/api/stations/covers`)).body) as StationView;
      if (view.playing?.ref === ref && view.playing.startedAt >= after && (view.history[0]?.startedAt ?? 0) >= after) return view;
      if (Date.now() > deadline) throw new Error(`${ref} not on air since ${after}: ${JSON.stringify(view.playing)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('web-cover');
    const tone = await readFile(await makeTone({ path: join(temp.dir, 'tone.mp3'), seconds: 4, frequency: 440, format: 'mp3' }));
    cdn = await startCdnServer();
    cdn.handler = (_request, response) => response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': tone.length }).end(tone);
    const songUrl = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091');
    const replies = {
      '/netease/song/detail': await recordedReply('netease-song-detail.json'),
      '/netease/song/url/v1': { ...songUrl, body: songUrl.body!.replace(/"url":"[^"]+"/, `"url":"${cdn.base}/song.mp3"`) },
    };
    upstream = await startRecordedUpstream((seen) => replies[seen.path as keyof typeof replies]);
    relay = createRelayServer({ config: { token: 'web-cover-test-token-0123', netease: { baseUrl: `${upstream.url}/netease/` } }, logger: silentLogger() });
    await relay.listen(0, '127.0.0.1');
    [icecast, redis] = await Promise.all([startIcecast(), startRedis()]);
    store = createStore(await connectRedis(redis.url, LONG_RUNNING_REDIS_OPTIONS));
    await store.playlists.create('covers');
    await store.playlists.add('covers', [ref]);
    await store.stations.create('covers', { mount: '/covers.mp3', playlist: 'covers' });
    server = await startWeb(store);
    base = await server.listen();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await server?.close();
    if (store) await closeRedis(store.redis);
    await relay?.close();
    await Promise.all([icecast?.stop(), redis?.stop(), upstream?.close(), cdn?.stop()]);
    await temp?.remove();
  });

  it('the song playing, the next one and the history carry the cover the relay answered', async () => {
    await startTheWorker();
    const view = await playingSince(0);
    expect(view.playing).toMatchObject({ title: RECORDED_NETEASE_SONG.title, album: RECORDED_NETEASE_SONG.album, coverUrl: cover });
    // One song on repeat: it is also the next one, described from the metadata cache.
    expect(view.next).toMatchObject({ ref, coverUrl: cover });
    expect(view.history[0]).toMatchObject({ ref, coverUrl: cover });
    expect(detailRequests()).toBe(1);
  });

  it('a restarted worker takes the song from the caches, cover included, without asking the relay', async () => {
    await worker!.stop();
    const restartedAt = Date.now();
    await startTheWorker();
    const view = await playingSince(restartedAt);
    expect(view.playing).toMatchObject({ title: RECORDED_NETEASE_SONG.title, coverUrl: cover });
    expect(view.history[0]).toMatchObject({ ref, startedAt: view.playing!.startedAt, coverUrl: cover });
    expect(detailRequests()).toBe(1);
  });
});
