import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/log/index.js';
import { createResolver, type ResolverOptions } from '../../../../src/relay/resolver.js';
import { createRelayServer, type RelayServer } from '../../../../src/relay/index.js';
import { songResponseSchema } from '../../../../src/relay-client/schemas.js';
import { ASKED, CANDIDATE_MID, DECOYS, musicuModule, qqSearchAnswer, startMatchUpstream, type MatchUpstream } from '../../../support/match-upstream.js';
import { recordedReply } from '../../../support/upstream.js';

describe('cross-provider match in the resolver', () => {
  let match: MatchUpstream;
  let upstream: MatchUpstream['upstream'];
  let replies: MatchUpstream['replies'];

  beforeAll(async () => {
    match = await startMatchUpstream();
    upstream = match.upstream;
  });
  afterAll(() => match.close());
  beforeEach(() => {
    match.reset();
    replies = match.replies;
  });

  const config = (extra: Partial<ResolverOptions['config']> = {}): ResolverOptions['config'] => ({ ...match.providers(), ...extra });

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
    match.reset();
    match.replies['vkey.GetVkeyServer'] = await recordedReply('qq-vkey-empty-purl-104003.json');
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
