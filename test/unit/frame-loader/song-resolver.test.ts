import { describe, expect, it } from 'vitest';
import { embeddedResolver } from '../../../src/frame-loader/song-resolver.js';
import type { Resolver, SongOptions } from '../../../src/relay/resolver.js';
import { ok } from '../../../src/result.js';

/** The in-process resolver's answer for a song refused on NetEase and played from QQ, and the options it was asked with. */
function matchingProviders() {
  const asked: SongOptions[] = [];
  const resolver = {
    providers: ['netease', 'qq'],
    async resolveSong(ref: string, options: SongOptions = {}) {
      asked.push(options);
      return ok({
        song: { ref, title: '小宝贝', artists: ['夏天播放'] },
        audio: { url: 'https://cdn.example/C400.m4a', format: 'm4a', expiresAt: 2_000_000 },
        matchedFrom: { ref: 'qq:002wit7s1Tvdlg', score: 0.97 },
      });
    },
    resolvePlaylist: async () => {
      throw new Error('not asked');
    },
  } as unknown as Resolver;
  return { resolver, asked };
}

describe('embeddedResolver', () => {
  it('passes the match setting on and says which song plays', async () => {
    const { resolver, asked } = matchingProviders();
    const embedded = embeddedResolver(resolver);
    expect(await embedded.resolveSong('netease:29450091')).toMatchObject({
      ok: true,
      value: { ref: 'netease:29450091', title: '小宝贝', artist: '夏天播放', matchedFrom: { ref: 'qq:002wit7s1Tvdlg', score: 0.97 } },
    });
    await embedded.resolveSong('netease:29450091', { match: false });
    expect(asked).toEqual([{}, { match: false }]);
  });
});
