import { describe, expect, it } from 'vitest';
import { findMatch, judge, titleKey, toSimplified } from '../../../../src/relay/match/index.js';
import type { SongInfo } from '../../../../src/relay/providers/provider.js';

const song = (title: string, artists: string[], durationSec: number | undefined, ref = `qq:${title}`): SongInfo => ({
  ref,
  title,
  artists,
  ...(durationSec === undefined ? {} : { durationMs: durationSec * 1000 }),
});

describe('judge: the same recording only', () => {
  it('matches equal title, artist and duration', () => {
    expect(judge(song('Faded', ['Alan Walker'], 212), song('Faded', ['Alan Walker'], 212))).toMatchObject({ same: true });
  });

  it('refuses "Faded (Live)" for "Faded", and the reverse', () => {
    expect(judge(song('Faded', ['Alan Walker'], 212), song('Faded (Live)', ['Alan Walker'], 212))).toEqual({ same: false, why: 'version' });
    expect(judge(song('Faded (Live)', ['Alan Walker'], 212), song('Faded', ['Alan Walker'], 212))).toEqual({ same: false, why: 'version' });
  });

  it('matches a live take to the same live take', () => {
    expect(judge(song('爱 (Live)', ['小虎队'], 262), song('爱(Live)', ['小虎队'], 262))).toMatchObject({ same: true });
  });

  it.each([
    ['晴天 (伴奏)'],
    ['晴天 (Instrumental)'],
    ['晴天 (KTV版)'],
    ['晴天 (DJ版)'],
    ['晴天 - DJ版'],
    ['晴天 (翻唱)'],
    ['晴天 (Cover 周杰伦)'],
    ['晴天 (Remix)'],
    ['晴天 (加速版)'],
    ['晴天 (Sped Up)'],
    ['晴天 (Slowed + Reverb)'],
    ['晴天 (女声版)'],
    ['晴天（钢琴版）'],
    ['晴天 (抖音版)'],
    ['晴天 (片段)'],
    ['晴天 (粤语版)'],
    ['晴天 [Radio Edit]'],
    ['晴天 (电影《不能说的秘密》插曲)'],
  ])('refuses %s for 晴天', (title) => {
    expect(judge(song('晴天', ['周杰伦'], 269), song(title, ['周杰伦'], 269))).toEqual({ same: false, why: 'version' });
  });

  it('folds traditional Chinese: 周杰倫 is 周杰伦, 後來 is 后来', () => {
    expect(toSimplified('周杰倫 後來')).toBe('周杰伦 后来');
    expect(judge(song('晴天', ['周杰伦'], 269), song('晴天', ['周杰倫'], 269))).toMatchObject({ same: true });
    expect(judge(song('後來', ['劉若英'], 340), song('后来', ['刘若英'], 340))).toMatchObject({ same: true });
  });

  it('folds case, full width and punctuation', () => {
    expect(titleKey('ＨＥＬＬＯ，Ｗｏｒｌｄ！').base).toBe(titleKey("hello world").base);
    expect(judge(song("Don't Stop Me Now", ['Queen'], 209), song('Dont Stop Me Now', ['QUEEN'], 209))).toMatchObject({ same: true });
    expect(judge(song('说好的幸福呢', ['周杰伦'], 255), song('說好的幸福呢？', ['周杰倫'], 255))).toMatchObject({ same: true });
  });

  it('moves "feat." / "ft." / "(with …)" credits out of the title and into the artists', () => {
    const plain = song('Stay', ['The Kid LAROI', 'Justin Bieber'], 141);
    expect(judge(song('Stay (with Justin Bieber)', ['The Kid LAROI'], 141), plain)).toMatchObject({ same: true });
    expect(judge(song('Song (feat. X)', ['A'], 200), song('Song', ['A', 'X'], 200))).toMatchObject({ same: true });
    expect(judge(song('Song ft. X', ['A'], 200), song('Song', ['X'], 200))).toMatchObject({ same: true });
    expect(titleKey('Song (feat. Zion & Lennox)')).toEqual({ base: 'song', versions: [], featured: ['zionlennox', 'zion', 'lennox'] });
  });

  it('refuses the same title by another artist', () => {
    expect(judge(song('爱', ['小虎队'], 269), song('爱', ['莫文蔚'], 269))).toEqual({ same: false, why: 'artists' });
  });

  it('refuses another song of the same artist', () => {
    expect(judge(song('晴天', ['周杰伦'], 269), song('七里香', ['周杰伦'], 269))).toEqual({ same: false, why: 'title' });
  });

  it('allows ±3 s of duration, not more, and never guesses without a duration', () => {
    expect(judge(song('晴天', ['周杰伦'], 269), song('晴天', ['周杰伦'], 272))).toMatchObject({ same: true });
    expect(judge(song('晴天', ['周杰伦'], 269), song('晴天', ['周杰伦'], 273))).toEqual({ same: false, why: 'duration' });
    expect(judge(song('晴天', ['周杰伦'], 269), song('晴天', ['周杰伦'], undefined))).toEqual({ same: false, why: 'no-duration' });
  });

  it('an unbracketed version word is part of the title', () => {
    expect(judge(song('晴天', ['周杰伦'], 269), song('晴天DJ版', ['周杰伦'], 269))).toEqual({ same: false, why: 'title' });
  });
});

describe('findMatch', () => {
  it('picks the closest confident candidate and ignores decoys', () => {
    const asked = song('爱', ['小虎队'], 269, 'qq:asked');
    const found = findMatch(asked, [
      song('爱(Live)', ['小虎队'], 262, 'netease:387718'),
      song('爱', ['莫文蔚'], 198, 'netease:277302'),
      song('爱', ['小虎队'], 271, 'netease:far'),
      song('爱', ['小虎队'], 269.348, 'netease:387948'),
    ]);
    expect(found?.song.ref).toBe('netease:387948');
    expect(found?.score).toBeGreaterThan(0.9);
  });

  it('finds nothing when no candidate passes every rule', () => {
    expect(findMatch(song('晴天', ['周杰伦'], 269), [song('晴天 (Live)', ['周杰伦'], 269), song('晴天', ['翻唱者'], 269)])).toBeUndefined();
  });
});
