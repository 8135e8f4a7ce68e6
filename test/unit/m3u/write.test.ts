import { describe, expect, it } from 'vitest';
import { parseM3u, writeM3u } from '../../../src/m3u/index.js';

describe('writeM3u', () => {
  it('writes #EXTM3U, #EXTINF with whole seconds and artist - title, and the ref', () => {
    const text = writeM3u([
      { ref: 'netease:1', title: 'So What', artist: 'Miles Davis', durationMs: 562_400 },
      { ref: 'netease:2', title: 'Intro', artist: '' },
      { ref: 'netease:3' },
      { ref: 'netease:4', title: 'Two\nLines', artist: 'A' },
    ]);
    expect(text).toBe(
      '#EXTM3U\n#EXTINF:562,Miles Davis - So What\nnetease:1\n#EXTINF:-1,Intro\nnetease:2\nnetease:3\n#EXTINF:-1,A - Two Lines\nnetease:4\n',
    );
  });

  it('round-trips through parseM3u', () => {
    const songs = [{ ref: 'qq:0039MnYb0qxYhV', title: '晴天', artist: '周杰伦', durationMs: 269_000 }];
    expect(parseM3u(writeM3u(songs))).toEqual([{ line: 3, location: 'qq:0039MnYb0qxYhV', durationSec: 269, artist: '周杰伦', title: '晴天' }]);
  });
});
