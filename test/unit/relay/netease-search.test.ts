import { describe, expect, it } from 'vitest';
import { parseNeteaseSearch } from '../../../src/relay/providers/netease/search.js';

const answer = (body: object, status = 200) => ({ status, contentType: 'application/json', bodyText: JSON.stringify(body), fetchedAt: 0 });

describe('NetEase search answers', () => {
  it('reads the songs of /cloudsearch in order', () => {
    const parsed = parseNeteaseSearch(answer({ code: 200, result: { songs: [{ id: 1, name: '小宝贝', ar: [{ name: '夏天播放' }], al: { name: '私奔丽江' }, dt: 192232 }] } }));
    expect(parsed).toEqual({ ok: true, value: [{ ref: 'netease:1', title: '小宝贝', artists: ['夏天播放'], album: '私奔丽江', durationMs: 192232 }] });
  });

  it('an empty result is no songs, not an error', () => {
    expect(parseNeteaseSearch(answer({ code: 200, result: { songCount: 0 } }))).toEqual({ ok: true, value: [] });
  });

  // The same refusals as the song endpoints: the relay's address or login, not the song (retryable).
  it.each([-460, -462, -447, 301, 405])('code %i is a retryable upstream error, as on every NetEase endpoint', (code) => {
    expect(parseNeteaseSearch(answer({ code, message: 'refused' }))).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });
});
