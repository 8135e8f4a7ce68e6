import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchListeners } from '../../src/cli/commands/icecast-status.js';
import { silentLogger } from '../../src/log/index.js';
import { closeRedis, connectRedis, createStore, LONG_RUNNING_REDIS_OPTIONS, type PlayedSong, type Store } from '../../src/store/index.js';
import { loadStaticFiles, WebServer, type StationView } from '../../src/web/index.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { openSse } from '../support/sse-client.js';

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

/** The web service in this process against a real Redis; Icecast is a closed port (listeners unknown). */
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
    server = new WebServer({
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
      playing: { title: '第1首歌', artist: '周杰伦', durationMs: 180_000 },
      next: { ref: 'local:song-1.mp3' },
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
