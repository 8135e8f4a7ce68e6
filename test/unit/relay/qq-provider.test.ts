import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { NotFoundError } from '../../../src/relay/errors.js';
import { createResolver, type Resolver } from '../../../src/relay/resolver.js';
import {
  recordedReply,
  startRecordedUpstream,
  type RecordedUpstream,
  type SeenRequest,
  type UpstreamReply,
} from '../../support/upstream.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const ISURE_URL =
  'http://isure.stream.qqmusic.qq.com/C400000RMeN92LDUm0.m4a?guid=8348972662&vkey=E7B88F3490FBA862BC3848F786322C333511B8EC6ED2D34BF076334427E29BD30AB49965B44DAE9BD3D9145ADE8445C6E74A769C33191984&uin=&fromtag=66';

/** The `req_0` module a musicu.fcg request asks for. */
function musicuModule(request: SeenRequest): { module: string; param: Record<string, unknown> } {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0: { module: string; param: Record<string, unknown> } }).req_0;
}

describe('qq provider against recorded musicu.fcg answers', () => {
  let upstream: RecordedUpstream;
  /** Replies per musicu module (queued: each request takes the next, the last one repeats) and per path. */
  let byModule: Record<string, UpstreamReply[]>;
  let byPath: Record<string, UpstreamReply>;
  const resolverWith = (qq: Record<string, unknown> = {}): Resolver =>
    createResolver({
      config: {
        qq: { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/qzone/fcg-bin/songlist.fcg`, ...qq },
      },
      logger: silentLogger(),
      now: () => NOW,
      random: () => 0,
    });
  const vkeyRequests = () => upstream.requests.filter((request) => request.path.endsWith('musicu.fcg') && musicuModule(request).module === 'vkey.GetVkeyServer');

  beforeAll(async () => {
    upstream = await startRecordedUpstream((request) => {
      if (!request.path.endsWith('musicu.fcg')) return byPath[request.path];
      const queue = byModule[musicuModule(request).module] ?? [];
      return queue.length > 1 ? queue.shift() : queue[0];
    });
  });
  beforeEach(async () => {
    upstream.requests.length = 0;
    byModule = { 'music.pf_song_detail_svr': [await recordedReply('qq-song-detail.json')] };
    byPath = {};
  });
  afterAll(() => upstream.close());

  it('resolves a playable song: detail first, then a vkey for the C400 file of its media mid', async () => {
    byModule['vkey.GetVkeyServer'] = [await recordedReply('qq-vkey-playable.json')];
    const resolution = await resolverWith().resolveSong('qq:004dFFPd4JNv8q');
    expect(resolution).toEqual({
      ok: true,
      value: {
        song: {
          ref: 'qq:004dFFPd4JNv8q',
          title: '来自天堂的魔鬼',
          artists: ['G.E.M. 邓紫棋'],
          album: '新的心跳',
          durationMs: 245000,
          coverUrl: 'https://y.gtimg.cn/music/photo_new/T002R300x300M000003c616O2Zlswm.jpg',
        },
        audio: { url: ISURE_URL, format: 'm4a', bitrate: 96000, expiresAt: NOW + 80400 * 1000 },
      },
    });
    const [detail, vkey] = upstream.requests;
    expect(detail && musicuModule(detail)).toMatchObject({ module: 'music.pf_song_detail_svr', param: { song_mid: '004dFFPd4JNv8q' } });
    expect(vkey && musicuModule(vkey).param).toMatchObject({ songmid: ['004dFFPd4JNv8q'], filename: ['C400001DI2Jj3Jqve9.m4a'] });
    expect(vkey?.headers.referer).toBe('https://y.qq.com/');
  });

  it('retries a failing vkey request a few times', async () => {
    const badGateway = await recordedReply('relay-502-bad-gateway.html');
    byModule['vkey.GetVkeyServer'] = [badGateway, badGateway, await recordedReply('qq-vkey-playable.json')];
    expect(await resolverWith().resolveSong('qq:004dFFPd4JNv8q')).toMatchObject({ ok: true, value: { audio: { url: ISURE_URL } } });
    expect(vkeyRequests()).toHaveLength(3);
  });

  it('gives up after the configured attempts with a retryable upstream-error', async () => {
    byModule['vkey.GetVkeyServer'] = [await recordedReply('relay-502-bad-gateway.html')];
    const resolution = await resolverWith({ attempts: 2 }).resolveSong('qq:004dFFPd4JNv8q');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true, song: { title: '来自天堂的魔鬼' } } });
    expect(vkeyRequests()).toHaveLength(2);
  });

  it('does not retry a definite no (result 104003) and keeps the metadata', async () => {
    byModule['vkey.GetVkeyServer'] = [await recordedReply('qq-vkey-empty-purl-104003.json')];
    const resolution = await resolverWith().resolveSong('qq:004dFFPd4JNv8q');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'no-rights', retryable: false, song: { title: '来自天堂的魔鬼' } } });
    expect(vkeyRequests()).toHaveLength(1);
  });

  it('uses the configured fallback host when QQ lists no stream host', async () => {
    byModule['vkey.GetVkeyServer'] = [await recordedReply('qq-vkey-playable-empty-sip.json')];
    const resolution = await resolverWith({ fallbackSip: 'http://isure.stream.qqmusic.qq.com' }).resolveSong('qq:004dFFPd4JNv8q');
    expect(resolution).toMatchObject({
      ok: true,
      value: {
        audio: { url: expect.stringMatching(/^http:\/\/isure\.stream\.qqmusic\.qq\.com\/M500001uaxks4G5JL9\.mp3\?guid=0&vkey=/), format: 'mp3' },
      },
    });
  });

  it('calls a songmid QQ has no detail for delisted, without asking for a vkey', async () => {
    byModule['music.pf_song_detail_svr'] = [{ body: '{"code":0,"req_0":{"code":0,"data":{"track_info":{}}}}' }];
    expect(await resolverWith().resolveSong('qq:004dFFPd4JNv8q')).toMatchObject({ ok: false, failure: { reason: 'delisted' } });
    expect(vkeyRequests()).toHaveLength(0);
  });

  it('pages a songlist, asking for the page and slicing when the server sends the whole list', async () => {
    byPath['/qzone/fcg-bin/songlist.fcg'] = await recordedReply('qq-songlist.json');
    const page = await resolverWith().resolvePlaylist('qq:playlist:1760653792', { offset: 9, limit: 2 });
    expect(page).toMatchObject({ ref: 'qq:playlist:1760653792', name: '清新恋爱剂：橙子味的柔和Indie Pop', total: 23, offset: 9, limit: 2 });
    expect(page.songs.map((song) => [song.ref, song.title, song.artists])).toEqual([
      ['qq:004cXrFt0AXLEU', 'We Are Young (Radio Edit)', ['Fun.', 'Janelle Monáe']],
      ['qq:000tNW101rbeQd', 'Almost Lover (Album Version)', ['A Fine Frenzy']],
    ]);
    expect(Object.fromEntries(upstream.requests[0]?.query ?? [])).toMatchObject({ disstid: '1760653792', song_begin: '9', song_num: '2' });
  });

  it('throws NotFoundError for a songlist QQ does not know', async () => {
    byPath['/qzone/fcg-bin/songlist.fcg'] = { body: '{"code":0,"cdlist":[]}' };
    await expect(resolverWith().resolvePlaylist('qq:playlist:1')).rejects.toThrow(NotFoundError);
  });
});

describe('qq provider against a recorded jsososo/QQMusicApi', () => {
  let upstream: RecordedUpstream;
  let replies: Record<string, UpstreamReply>;
  const resolver = () =>
    createResolver({ config: { qq: { api: 'qqmusicapi', qqMusicApiUrl: upstream.url } }, logger: silentLogger(), now: () => NOW, random: () => 0 });

  beforeAll(async () => {
    upstream = await startRecordedUpstream((request) => replies[request.path]);
  });
  beforeEach(async () => {
    upstream.requests.length = 0;
    replies = { '/song': await recordedReply('qqmusicapi-song.json'), '/song/urls': await recordedReply('qqmusicapi-song-urls.json') };
  });
  afterAll(() => upstream.close());

  it('resolves from /song and /song/urls, with the conservative TTL for the URL', async () => {
    const resolution = await resolver().resolveSong('qq:0039MnYb0qxYhV');
    expect(resolution).toMatchObject({
      ok: true,
      value: {
        song: { ref: 'qq:0039MnYb0qxYhV', title: '来自天堂的魔鬼' },
        audio: {
          url: 'http://ws.stream.qqmusic.qq.com/C400002202B43Cq4V4.m4a?guid=2796982635&vkey=0A1ADCEDC042ABE27FE184A3436DBB6F15AFF286F0F06DDFAEA9ADAF2D82F67EF33746A9472F62B444B7E7CEB32EE0D34DFD53A6E2D97D7B&uin=1899&fromtag=66',
          format: 'm4a',
          expiresAt: NOW + 600 * 1000,
        },
      },
    });
    expect(upstream.requests.map((request) => `${request.path}?${request.query.toString()}`)).toEqual([
      '/song?songmid=0039MnYb0qxYhV',
      '/song/urls?id=0039MnYb0qxYhV',
    ]);
  });

  it('treats result 200 as the failure it is in this wrapper', async () => {
    replies['/song/urls'] = await recordedReply('qqmusicapi-song-urls-error-result200.json');
    expect(await resolver().resolveSong('qq:0039MnYb0qxYhV')).toMatchObject({ ok: false, failure: { reason: 'upstream-error' } });
  });

  it('pages the whole songlist it gets from /songlist', async () => {
    replies['/songlist'] = await recordedReply('qqmusicapi-songlist.json');
    const page = await resolver().resolvePlaylist('qq:playlist:1760653792', { offset: 20, limit: 10 });
    expect(page.total).toBe(23);
    expect(page.songs.map((song) => song.title)).toEqual(['End Of May', 'Hard Out Here', 'Communication']);
  });
});
