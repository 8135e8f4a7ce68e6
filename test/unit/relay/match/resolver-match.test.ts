import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/log/index.js';
import { createResolver, type ResolverOptions } from '../../../../src/relay/resolver.js';
import { createRelayServer, type RelayServer } from '../../../../src/relay/index.js';
import { songResponseSchema } from '../../../../src/relay-client/schemas.js';
import { RECORDED_NETEASE_SONG, readRecorded, recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from '../../../support/upstream.js';

/*
 * netease:29450091 (recorded detail: 小宝贝 by 夏天播放, 192232 ms) is refused for rights; QQ's search lists
 * it among decoys. The search answers are constructed in the shape of musicu.fcg's desktop search module
 * (req_0.data.body.song.list[]; see test/fixtures/match-set/SOURCES.md); detail and vkey answers are the
 * recorded ones, the detail's songmid swapped for the candidate's.
 */
const CANDIDATE_MID = '002wit7s1Tvdlg'; // the songmid of the recorded qq-vkey-playable.json
const ASKED = RECORDED_NETEASE_SONG.ref;

function qqSearchAnswer(list: { mid: string; title: string; singers: string[]; interval: number }[]): UpstreamReply {
  const songs = list.map((song) => ({
    mid: song.mid,
    name: song.title.replace(/\s*\(.*\)$/, ''),
    title: song.title,
    singer: song.singers.map((name) => ({ mid: '', name })),
    album: { mid: '003c616O2Zlswm', name: '' },
    interval: song.interval,
  }));
  return { body: JSON.stringify({ code: 0, ts: 1, req_0: { code: 0, data: { body: { song: { list: songs } }, meta: {} } } }) };
}

const DECOYS = [
  { mid: '000decoyLive01', title: '小宝贝 (Live)', singers: ['夏天播放'], interval: 192 },
  { mid: '000decoyOther1', title: '小宝贝', singers: ['别的歌手'], interval: 192 },
  { mid: '000decoyLong01', title: '小宝贝', singers: ['夏天播放'], interval: 230 },
];

function musicuModule(request: SeenRequest): string {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } }).req_0?.module ?? '';
}

describe('cross-provider match in the resolver', () => {
  let upstream: RecordedUpstream;
  let replies: Record<string, UpstreamReply>;
  let base: Record<string, UpstreamReply>;

  beforeAll(async () => {
    upstream = await startRecordedUpstream((seen) => replies[seen.path.endsWith('musicu.fcg') ? musicuModule(seen) : seen.path]);
    const songUrl = JSON.parse(await readRecorded('netease-song-url-null-404.json')) as { data: { id: number }[] };
    songUrl.data[0]!.id = 29450091;
    const detail = (await readRecorded('qq-song-detail.json')).replaceAll('004dFFPd4JNv8q', CANDIDATE_MID);
    base = {
      '/netease/song/detail': await recordedReply('netease-song-detail.json'),
      '/netease/song/url/v1': { body: JSON.stringify(songUrl) },
      'music.pf_song_detail_svr': { body: detail },
      'vkey.GetVkeyServer': await recordedReply('qq-vkey-playable.json'),
      'music.search.SearchCgiService': qqSearchAnswer([...DECOYS, { mid: CANDIDATE_MID, title: '小宝贝', singers: ['夏天播放'], interval: 192 }]),
    };
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    replies = { ...base };
    upstream.requests.length = 0;
  });

  const config = (extra: Partial<ResolverOptions['config']> = {}): ResolverOptions['config'] => ({
    netease: { baseUrl: `${upstream.url}/netease/` },
    qq: { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/songlist.fcg`, attempts: 1 },
    ...extra,
  });

  it('plays a refused song from the other provider, under the asked song\'s metadata, saying which song plays', async () => {
    const resolution = await createResolver({ config: config(), logger: silentLogger() }).resolveSong(ASKED);
    expect(resolution.ok).toBe(true);
    if (!resolution.ok) return;
    expect(resolution.value.song).toMatchObject({ ref: ASKED, title: '小宝贝', artists: ['夏天播放'], durationMs: 192232 });
    expect(resolution.value.audio.url).toContain('C400000RMeN92LDUm0.m4a');
    expect(resolution.value.audio.expiresAt).toBeGreaterThan(Date.now());
    expect(resolution.value.matchedFrom).toEqual({ ref: `qq:${CANDIDATE_MID}`, score: expect.any(Number) });
    const search = upstream.requests.find((seen) => musicuModule(seen) === 'music.search.SearchCgiService');
    expect(JSON.parse(search!.query.get('data')!).req_0.param).toMatchObject({ query: '小宝贝 夏天播放', search_type: 0 });
  });

  it('keeps the refusal when only decoys are found (live take, other artist, other duration)', async () => {
    replies['music.search.SearchCgiService'] = qqSearchAnswer(DECOYS);
    const resolution = await createResolver({ config: config(), logger: silentLogger() }).resolveSong(ASKED);
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
  });

  it('keeps the refusal when the search fails or the match is not playable either', async () => {
    delete replies['music.search.SearchCgiService'];
    expect(await createResolver({ config: config(), logger: silentLogger() }).resolveSong(ASKED)).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    replies = { ...base, 'vkey.GetVkeyServer': await recordedReply('qq-vkey-empty-purl-104003.json') };
    expect(await createResolver({ config: config(), logger: silentLogger() }).resolveSong(ASKED)).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
  });

  it('searches nothing when the request or the config turns the match off', async () => {
    const on = createResolver({ config: config(), logger: silentLogger() });
    expect(await on.resolveSong(ASKED, { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    const off = createResolver({ config: config({ match: false }), logger: silentLogger() });
    expect(await off.resolveSong(ASKED)).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    expect(upstream.requests.filter((seen) => seen.path.endsWith('musicu.fcg'))).toEqual([]);
  });

  it('searches nothing without the other provider', async () => {
    const alone = createResolver({ config: { netease: { baseUrl: `${upstream.url}/netease/` } }, logger: silentLogger() });
    expect(await alone.resolveSong(ASKED)).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    expect(upstream.requests.filter((seen) => seen.path.endsWith('musicu.fcg'))).toEqual([]);
  });

  describe('over HTTP', () => {
    const TOKEN = 'match-test-relay-token-1234';
    let relay: RelayServer;
    beforeAll(async () => {
      relay = createRelayServer({ config: { token: TOKEN, ...config() }, logger: silentLogger() });
      await relay.listen(0, '127.0.0.1');
    });
    afterAll(() => relay.close());
    const get = async (query: string) => {
      const answer = await fetch(`${relay.url}/v1/songs/${encodeURIComponent(ASKED)}${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };

    it('answers 200 with matchedFrom and the matched audio\'s expiresAt, which the worker\'s schema keeps', async () => {
      const { status, body } = await get('');
      expect(status).toBe(200);
      expect(body).toMatchObject({ ref: ASKED, title: '小宝贝', matchedFrom: { ref: `qq:${CANDIDATE_MID}` } });
      const parsed = songResponseSchema.parse(body);
      expect(parsed.matchedFrom?.ref).toBe(`qq:${CANDIDATE_MID}`);
      expect(parsed.audio.expiresAt).toBe(Date.parse((body.audio as { expiresAt: string }).expiresAt));
    });

    it('answers the original 422 with ?match=0, and 400 for a match value it does not know', async () => {
      expect((await get('?match=0')).status).toBe(422);
      expect((await get('?match=yes')).status).toBe(400);
      expect((await get('?match=1')).status).toBe(200);
    });
  });
});
