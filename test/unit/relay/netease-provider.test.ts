import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { NotFoundError, UpstreamError } from '../../../src/relay/errors.js';
import { createResolver, type Resolver } from '../../../src/relay/resolver.js';
import { RECORDED_NETEASE_AUDIO, RECORDED_NETEASE_SONG, recordedReply, startRecordedUpstream, type RecordedUpstream, type UpstreamReply } from '../../support/upstream.js';
import { neteaseSongUrlReplyFor, readRepoRecorded } from '../../support/recorded-upstream.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('netease provider against a recorded NeteaseCloudMusicApi', () => {
  let upstream: RecordedUpstream;
  const replies: Record<string, UpstreamReply> = {};
  const resolverWith = (netease: Record<string, unknown> = {}, lookupMs = 4000): Resolver =>
    createResolver({
      config: { netease: { baseUrl: `${upstream.url}/api`, ...netease }, timeouts: { lookupMs } },
      logger: silentLogger(),
      now: () => NOW,
    });

  beforeAll(async () => {
    upstream = await startRecordedUpstream((request) => replies[request.path]);
  });
  beforeEach(async () => {
    upstream.requests.length = 0;
    for (const key of Object.keys(replies)) delete replies[key];
    replies['/api/song/detail'] = await recordedReply('netease-song-detail.json');
  });
  afterAll(() => upstream.close());

  it('resolves a playable song: metadata from /song/detail, audio from /song/url/v1, expiry less the server cache', async () => {
    replies['/api/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091');
    const resolution = await resolverWith().resolveSong('netease:29450091');
    expect(resolution).toEqual({
      ok: true,
      value: { song: RECORDED_NETEASE_SONG, audio: { ...RECORDED_NETEASE_AUDIO, expiresAt: NOW + (1200 - 120) * 1000 } },
    });
    const asked = upstream.requests.map((request) => `${request.path}?${request.query.toString()}`).sort();
    expect(asked).toEqual(['/api/song/detail?ids=29450091', '/api/song/url/v1?id=29450091&level=exhigh']);
  });

  it('asks /song/url with a bitrate and realIP when configured so', async () => {
    replies['/api/song/url'] = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091');
    const resolution = await resolverWith({ songUrlApi: 'legacy', level: 'higher', realIp: '116.25.146.177', upstreamCacheSec: 0 }).resolveSong(
      'netease:29450091',
    );
    expect(resolution).toMatchObject({ ok: true, value: { audio: { expiresAt: NOW + 1200 * 1000 } } });
    const songUrl = upstream.requests.find((request) => request.path === '/api/song/url');
    expect(Object.fromEntries(songUrl?.query ?? [])).toEqual({ id: '29450091', br: '192000', realIP: '116.25.146.177' });
  });

  it('keeps the metadata of a song it cannot play', async () => {
    replies['/api/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-null-404.json', '29450091');
    const resolution = await resolverWith().resolveSong('netease:29450091');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'no-rights', retryable: false, song: { title: '小宝贝' } } });
  });

  it('calls a song delisted when it has neither a URL nor a song detail', async () => {
    replies['/api/song/detail'] = { body: '{"songs":[],"privileges":[],"code":200}' };
    replies['/api/song/url/v1'] = await recordedReply('netease-song-url-null-404-delisted.json');
    const resolution = await resolverWith().resolveSong('netease:1045123');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'delisted', retryable: false } });
    expect(resolution).not.toHaveProperty('song');
  });

  it('never plays a preview clip', async () => {
    replies['/api/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-trial.json', '29450091');
    expect(await resolverWith().resolveSong('netease:29450091')).toMatchObject({ ok: false, failure: { reason: 'trial-only' } });
  });

  it('reports -460 Cheating (HTTP 400) as a retryable upstream-error, not as a bad song', async () => {
    replies['/api/song/url/v1'] = await recordedReply('netease-cheating-460.json');
    const resolution = await resolverWith().resolveSong('netease:29450091');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true, song: { title: '小宝贝' } } });
  });

  it('plays a URL although the song-detail call failed: the song goes under its ref, not as a failure', async () => {
    replies['/api/song/detail'] = await recordedReply('relay-502-bad-gateway.html');
    replies['/api/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091');
    const resolution = await resolverWith().resolveSong('netease:29450091');
    expect(resolution).toMatchObject({ ok: true, value: { song: { ref: 'netease:29450091', title: 'netease:29450091', artists: [] }, audio: RECORDED_NETEASE_AUDIO } });
  });

  it('never plays another song of a batched URL answer', async () => {
    // The recorded answer lists 2079429416 and 562598081, not the song asked for.
    replies['/api/song/url/v1'] = { body: (await readRepoRecorded('netease-song-url-batch-two-songs.json')).toString('utf8') };
    const resolution = await resolverWith().resolveSong('netease:29450091');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false, song: { title: '小宝贝' } } });
  });

  it.each(['netease-code-462-bind-phone.json', 'netease-code-406-too-frequent.json', 'netease-code-301-login.json'])(
    'reports %s as a retryable upstream-error, keeping the metadata',
    async (file) => {
      replies['/api/song/url/v1'] = { body: (await readRepoRecorded(file)).toString('utf8') };
      const resolution = await resolverWith().resolveSong('netease:29450091');
      expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true, song: { title: '小宝贝' } } });
    },
  );

  it('reports an nginx 502 page as a retryable upstream-error', async () => {
    const badGateway = await recordedReply('relay-502-bad-gateway.html');
    replies['/api/song/detail'] = badGateway;
    replies['/api/song/url/v1'] = badGateway;
    expect(await resolverWith().resolveSong('netease:29450091')).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });

  it('reports a wrong base path (Express 404 page) as an upstream-error not worth retrying', async () => {
    delete replies['/api/song/detail'];
    expect(await resolverWith().resolveSong('netease:29450091')).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false } });
  });

  it('answers within the lookup budget when the upstream is slow', async () => {
    replies['/api/song/url/v1'] = await neteaseSongUrlReplyFor('netease-song-url-playable.json', '29450091', { delayMs: 3000 });
    const started = Date.now();
    const resolution = await resolverWith({}, 300).resolveSong('netease:29450091');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });

  it('pages a playlist: name and total from /playlist/detail (all trackIds), songs from /playlist/track/all', async () => {
    replies['/api/playlist/detail'] = await recordedReply('netease-playlist-detail.json');
    replies['/api/playlist/track/all'] = await recordedReply('netease-playlist-track-all.json');
    const page = await resolverWith().resolvePlaylist('netease:playlist:7775163417', { offset: 0, limit: 20 });
    expect(page).toMatchObject({ ref: 'netease:playlist:7775163417', name: '赏音榜', total: 100, offset: 0, limit: 20 });
    expect(page.songs).toHaveLength(20);
    expect(page.songs[0]).toMatchObject({ ref: 'netease:1863301775', title: 'Sweet Dreams', artists: ['BØRNS'], durationMs: 199767 });
    expect(page.songs[15]?.artists).toEqual(['塞壬唱片-MSR', 'THE EITHER', '杭州爱乐乐团', '宗立']);
    const trackAll = upstream.requests.find((request) => request.path === '/api/playlist/track/all');
    expect(Object.fromEntries(trackAll?.query ?? [])).toEqual({ id: '7775163417', limit: '20', offset: '0' });
  });

  it('gives an empty page past the end of a playlist', async () => {
    replies['/api/playlist/detail'] = await recordedReply('netease-playlist-detail.json');
    const page = await resolverWith().resolvePlaylist('netease:playlist:7775163417', { offset: 100, limit: 10 });
    expect(page).toMatchObject({ total: 100, songs: [] });
  });

  it('throws NotFoundError for a playlist NetEase does not know, UpstreamError when it cannot tell', async () => {
    replies['/api/playlist/detail'] = { body: '{"code":404,"message":"歌单不存在"}' };
    replies['/api/playlist/track/all'] = await recordedReply('netease-playlist-track-all.json');
    await expect(resolverWith().resolvePlaylist('netease:playlist:1')).rejects.toThrow(NotFoundError);
    replies['/api/playlist/detail'] = await recordedReply('relay-502-bad-gateway.html');
    await expect(resolverWith().resolvePlaylist('netease:playlist:1')).rejects.toThrow(UpstreamError);
  });
});
