import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { createResolver } from '../../../src/relay/resolver.js';
import { readRepoRecorded } from '../../support/recorded-upstream.js';
import { recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from '../../support/upstream.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

function musicuModule(request: SeenRequest): string | undefined {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } }).req_0?.module;
}

describe('qq provider when the song-detail call fails', () => {
  let upstream: RecordedUpstream;
  let detail: UpstreamReply;
  let vkey: UpstreamReply;
  const resolver = () =>
    createResolver({
      config: { qq: { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/songlist.fcg`, attempts: 2 } },
      logger: silentLogger(),
      now: () => NOW,
      random: () => 0,
    });
  const vkeyRequests = () => upstream.requests.filter((request) => musicuModule(request) === 'vkey.GetVkeyServer');

  beforeAll(async () => {
    upstream = await startRecordedUpstream((request) => (musicuModule(request) === 'vkey.GetVkeyServer' ? vkey : detail));
  });
  beforeEach(async () => {
    upstream.requests.length = 0;
    detail = await recordedReply('relay-502-bad-gateway.html');
  });
  afterAll(() => upstream.close());

  it('still asks for the audio, under the songmid, and answers the playable URL with the ref as its title', async () => {
    vkey = await recordedReply('qq-vkey-playable.json');
    const resolution = await resolver().resolveSong('qq:002wit7s1Tvdlg');
    expect(resolution).toMatchObject({
      ok: true,
      value: {
        song: { ref: 'qq:002wit7s1Tvdlg', title: 'qq:002wit7s1Tvdlg', artists: [] },
        audio: { url: expect.stringMatching(/^http:\/\/isure\.stream\.qqmusic\.qq\.com\/C400000RMeN92LDUm0\.m4a\?/), expiresAt: NOW + 80400 * 1000 },
      },
    });
    expect(vkeyRequests().map((request) => request.query.get('data'))).toEqual([expect.stringContaining('"filename":["C400002wit7s1Tvdlg.m4a"]')]);
  });

  it('gives a lasting refusal of the audio (104003) rather than the failed detail call', async () => {
    vkey = await recordedReply('qq-vkey-empty-purl-104003.json');
    expect(await resolver().resolveSong('qq:003jLXeL4UrzJ8')).toMatchObject({ ok: false, failure: { reason: 'no-rights', retryable: false } });
  });

  it('keeps the detail failure, retryable, when the audio cannot be had either (empty purl, retcode 104009)', async () => {
    vkey = { body: (await readRepoRecorded('qq-vkey-104009-invalidq-empty-purl.json')).toString('utf8') };
    const resolution = await resolver().resolveSong('qq:001eSZFW3Ntd8D');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
    expect(resolution.ok || resolution.failure.song).toBeUndefined();
    // Not a definite no: asked again up to the configured attempts.
    expect(vkeyRequests()).toHaveLength(2);
  });
});
