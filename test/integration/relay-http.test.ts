import { request, type IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { createRelayServer, type RelayServer } from '../../src/relay/index.js';
import { RECORDED_NETEASE_AUDIO, RECORDED_NETEASE_SONG, recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from '../support/upstream.js';
import { neteaseSongUrlReplyFor } from '../support/recorded-upstream.js';

const TOKEN = 'integration-relay-token-7f3a';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: () => any;
}

/** A request with the path exactly as given (no URL normalisation), as a hostile client would send it. */
function send(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function musicuModule(request: SeenRequest): string {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } }).req_0?.module ?? '';
}

describe('relay HTTP API against recorded upstreams', () => {
  let upstream: RecordedUpstream;
  let relay: RelayServer;
  let replies: Record<string, UpstreamReply>;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = await startRecordedUpstream((seen) => replies[seen.path.endsWith('musicu.fcg') ? musicuModule(seen) : seen.path]);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    relay = createRelayServer({
      config: {
        token: TOKEN,
        netease: { baseUrl: `${upstream.url}/netease/` },
        qq: { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/songlist.fcg`, attempts: 1 },
        timeouts: { lookupMs: 800 },
        rateLimit: { burst: 1000, perSecond: 1000 },
      },
      logger: createLogger({ level: 'debug', destination }),
    });
    await relay.listen(0, '127.0.0.1');
  });
  beforeEach(async () => {
    upstream.requests.length = 0;
    replies = {
      '/netease/song/detail': await recordedReply('netease-song-detail.json'),
      '/netease/song/url/v1': await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091'),
      '/netease/playlist/detail': await recordedReply('netease-playlist-detail.json'),
      '/netease/playlist/track/all': await recordedReply('netease-playlist-track-all.json'),
      'music.pf_song_detail_svr': await recordedReply('qq-song-detail-2023-req0.json'),
      'vkey.GetVkeyServer': await recordedReply('qq-vkey-playable.json'),
    };
  });
  afterAll(async () => {
    await relay.close();
    await upstream.close();
  });

  it('answers /healthz without a token', async () => {
    const answer = await send(relay.url, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ ok: true, providers: ['netease', 'qq'] });
  });

  it.each<Record<string, string>>([{}, { authorization: 'Bearer wrong-token-000000000' }, { authorization: TOKEN }])(
    'refuses a song request without the right bearer token (%j) and asks no upstream',
    async (headers) => {
      const answer = await send(relay.url, '/v1/songs/netease:29450091', { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(answer.json()).toMatchObject({ error: { reason: 'unauthorized' } });
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it.each([
    '/v1/songs/netease:1@evil.example',
    '/v1/songs/netease:1@127.0.0.2:80',
    '/v1/songs/netease:%31%40evil',
    '/v1/songs/netease%3A1%40evil',
    '/v1/songs/netease:1%2F..%2F..%2Fsong%2Furl',
    '/v1/songs/netease:1/../../song/url',
    '/v1/songs/netease:12%0D%0AHost:%20evil',
    '/v1/songs/qq:http://evil.example/x',
    '/v1/songs/qq:http:%2F%2Fevil.example%2Fx',
    '/v1/songs/qq:002wit7s1Tvdlg@evil',
    '/v1/songs/local:../../etc/passwd',
    '/v1/songs/local:..%2F..%2Fetc%2Fpasswd',
    '/v1/songs/local:%252e%252e/etc/passwd.mp3',
    '/v1/songs/local:/etc/passwd',
    '/v1/songs/local:a%00.mp3',
    '/v1/songs/http://evil.example/a.mp3',
    '/v1/songs/netease:%E0%A4%A',
    '/v1/playlists/netease:playlist:1@evil',
    '/v1/playlists/qq:playlist:http://evil.example',
  ])('refuses the crafted ref in %s with 400, and no upstream sees a request', async (path) => {
    const answer = await send(relay.url, path, { headers: AUTH });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ error: { reason: 'bad-ref', retryable: false } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('resolves a NetEase song through the recorded upstream', async () => {
    const answer = await send(relay.url, '/v1/songs/netease:29450091', { headers: AUTH });
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toEqual({
      ...RECORDED_NETEASE_SONG,
      artist: '夏天播放',
      audio: { ...RECORDED_NETEASE_AUDIO, expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
    });
    const expiresIn = Date.parse(body.audio.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan((1080 - 10) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(1080 * 1000);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(upstream.requests.every((seen) => seen.path.startsWith('/netease/'))).toBe(true);
  });

  it('answers 422 with the reason and the song for a song that is not playable', async () => {
    replies['/netease/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-trial.json', '29450091');
    const answer = await send(relay.url, '/v1/songs/netease:29450091', { headers: AUTH });
    expect(answer.status).toBe(422);
    expect(answer.json()).toMatchObject({
      ref: 'netease:29450091',
      error: { reason: 'trial-only', retryable: false, message: expect.any(String) },
      song: { title: '小宝贝', artist: '夏天播放' },
    });
  });

  it('answers 502, retryable, when the upstream refuses the relay (-460)', async () => {
    replies['/netease/song/url/v1'] = await recordedReply('netease-cheating-460.json');
    const answer = await send(relay.url, '/v1/songs/netease:29450091', { headers: AUTH });
    expect(answer.status).toBe(502);
    expect(answer.json()).toMatchObject({ ref: 'netease:29450091', error: { reason: 'upstream-error', retryable: true } });
  });

  it('answers 502 within the lookup budget when the upstream is slow', async () => {
    replies['/netease/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091', { delayMs: 5000 });
    const started = Date.now();
    const answer = await send(relay.url, '/v1/songs/netease:29450091', { headers: AUTH });
    expect(Date.now() - started).toBeLessThan(800 + 700);
    expect(answer.status).toBe(502);
    expect(answer.json()).toMatchObject({ error: { reason: 'upstream-error', retryable: true } });
  });

  it('resolves a QQ song: detail, then the vkey of its media mid', async () => {
    const answer = await send(relay.url, '/v1/songs/qq:004WVo0X2RJEaj', { headers: AUTH });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      ref: 'qq:004WVo0X2RJEaj',
      title: 'Baby对不起',
      artist: 'CoCo李玟',
      album: 'Promise',
      durationMs: 215000,
      audio: { url: expect.stringMatching(/^http:\/\/isure\.stream\.qqmusic\.qq\.com\/C400000RMeN92LDUm0\.m4a\?/), format: 'm4a', bitrate: 96000 },
    });
    const vkey = upstream.requests.find((seen) => musicuModule(seen) === 'vkey.GetVkeyServer');
    expect(vkey?.query.get('data')).toContain('"filename":["C400002AUqT84YqfGG.m4a"]');
  });

  it('pages a NetEase playlist', async () => {
    const answer = await send(relay.url, '/v1/playlists/netease:playlist:7775163417?offset=0&limit=20', { headers: AUTH });
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ ref: 'netease:playlist:7775163417', name: '赏音榜', total: 100, offset: 0, limit: 20 });
    expect(body.songs).toHaveLength(20);
    expect(body.songs[4]).toEqual({ ref: 'netease:1934785797', title: '入梦2.0', artist: 'Sapling, KeNnyA', artists: ['Sapling', 'KeNnyA'], durationMs: 220479 });
  });

  it.each(['?limit=0', '?limit=501', '?offset=-1', '?limit=ten', '?offset=1e3'])('refuses the page %s with 400', async (query) => {
    const answer = await send(relay.url, `/v1/playlists/netease:playlist:7775163417${query}`, { headers: AUTH });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ error: { reason: 'bad-request' } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 503 provider-disabled, retryable, for a provider this relay does not run; 404 for an unknown endpoint', async () => {
    // Not a verdict on the song: the relay may run the provider after a restart with a fixed config.
    for (const path of ['/v1/songs/local:a.mp3', '/v1/playlists/local:playlist:evening']) {
      const disabled = await send(relay.url, path, { headers: AUTH });
      expect(disabled.status).toBe(503);
      expect(disabled.json()).toMatchObject({ error: { reason: 'provider-disabled', retryable: true } });
    }
    expect((await send(relay.url, '/v1/files/abc.def')).status).toBe(404);
    expect((await send(relay.url, '/v2/songs/netease:1', { headers: AUTH })).status).toBe(404);
  });

  it('accepts no request bodies and no other methods', async () => {
    const post = await send(relay.url, '/v1/songs/netease:29450091', { method: 'POST', headers: AUTH });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const withBody = await send(relay.url, '/v1/songs/netease:29450091', { headers: { ...AUTH, 'content-length': '5' }, body: 'hello' });
    expect(withBody.status).toBe(413);
    expect(upstream.requests).toHaveLength(0);
  });

  it('logs one JSON line per request with ref and outcome, and never the token', async () => {
    await send(relay.url, '/v1/songs/netease:29450091', { headers: AUTH });
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ event: 'relay.request', route: 'songs', ref: 'netease:29450091', status: 200, outcome: 'playable' }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ event: 'relay.resolve', ref: 'netease:29450091', outcome: 'playable' }));
    expect(logLines.join('\n')).not.toContain(TOKEN);
    // Signed CDN query strings stay out of the log too.
    expect(logLines.join('\n')).not.toContain('vkey=');
  });
});

describe('relay rate limit', () => {
  let relay: RelayServer;

  beforeAll(async () => {
    relay = createRelayServer({
      config: { token: TOKEN, netease: { baseUrl: 'http://127.0.0.1:9/' }, rateLimit: { burst: 3, perSecond: 0.2 } },
      logger: createLogger({ level: 'silent' }),
    });
    await relay.listen(0, '127.0.0.1');
  });
  afterAll(() => relay.close());

  it('answers 429 with Retry-After once a client has used its burst; /healthz stays open', async () => {
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let i = 0; i < 5; i += 1) {
      const answer = await send(relay.url, '/v1/songs/netease:abc', { headers: AUTH });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited?.json()).toMatchObject({ error: { reason: 'rate-limited', retryable: true } });
    expect((await send(relay.url, '/healthz')).status).toBe(200);
  });
});

describe('relay rate limit: authenticated callers apart from anonymous ones', () => {
  let direct: RelayServer;
  let proxied: RelayServer;
  const rateLimit = { burst: 3, perSecond: 0.2 };

  beforeAll(async () => {
    const logger = createLogger({ level: 'silent' });
    direct = createRelayServer({ config: { token: TOKEN, netease: { baseUrl: 'http://127.0.0.1:9/' }, rateLimit }, logger });
    proxied = createRelayServer({ config: { token: TOKEN, netease: { baseUrl: 'http://127.0.0.1:9/' }, rateLimit, trustProxy: 1 }, logger });
    await Promise.all([direct.listen(0, '127.0.0.1'), proxied.listen(0, '127.0.0.1')]);
  });
  afterAll(() => Promise.all([direct.close(), proxied.close()]));

  /** Statuses of `count` requests sent one after the other. */
  async function statuses(base: string, count: number, headers: Record<string, string> = {}): Promise<number[]> {
    const seen: number[] = [];
    for (let i = 0; i < count; i += 1) seen.push((await send(base, '/v1/songs/netease:abc', { headers })).status);
    return seen;
  }

  it('never throttles an authorized caller for anonymous requests from the same address (a reverse proxy)', async () => {
    expect(await statuses(direct.url, 35)).toEqual([401, 401, 401, ...Array<number>(32).fill(429)]);
    // 400: the ref is bad, so no upstream is asked; what matters is that it is not a 429.
    expect(await statuses(direct.url, 3, AUTH)).toEqual([400, 400, 400]);
  });

  it('answers 429 to anonymous guesses before checking the token, so a token cannot be guessed at full speed', async () => {
    const wrong = { authorization: 'Bearer not-the-token-but-long-enough' };
    expect((await statuses(direct.url, 5, wrong)).slice(-1)).toEqual([429]);
  });

  it('ignores X-Forwarded-For unless told to trust a proxy', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 5; i += 1) seen.push(...(await statuses(direct.url, 1, { 'x-forwarded-for': `198.51.100.${i}` })));
    expect(seen.at(-1)).toBe(429);
  });

  it('behind a trusted proxy (trustProxy: 1), limits each client by the address the proxy appended', async () => {
    // The proxy appends the address it saw; anything left of it was written by the client and may be forged.
    const forged = (i: number) => ({ 'x-forwarded-for': `10.9.9.${i}, 203.0.113.5` });
    const seen: number[] = [];
    for (let i = 0; i < 5; i += 1) seen.push(...(await statuses(proxied.url, 1, forged(i))));
    expect(seen).toEqual([401, 401, 401, 429, 429]);
    expect(await statuses(proxied.url, 1, { 'x-forwarded-for': '203.0.113.6' })).toEqual([401]);
    expect(await statuses(proxied.url, 1, { ...AUTH, 'x-forwarded-for': '203.0.113.5' })).toEqual([400]);
  });
});
