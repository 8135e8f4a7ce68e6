import { describe, expect, it } from 'vitest';
import { locationToRef, parseM3u, writeM3u } from '../../../src/cli/format/m3u.js';

describe('parseM3u', () => {
  it('reads refs with their #EXTINF and skips other comments', () => {
    const text = '\uFEFF#EXTM3U\r\n#PLAYLIST:x\r\n#EXTINF:201,Miles Davis - So What\r\nnetease:1\r\n\r\nqq:0039MnYb0qxYhV\r\n#EXTINF:-1,Unknown\r\njazz/a.mp3\r\n';
    expect(parseM3u(text)).toEqual([
      { line: 4, location: 'netease:1', extinf: { durationSeconds: 201, display: 'Miles Davis - So What' } },
      { line: 6, location: 'qq:0039MnYb0qxYhV' },
      { line: 8, location: 'jazz/a.mp3', extinf: { durationSeconds: null, display: 'Unknown' } },
    ]);
  });

  it('accepts EXTINF attributes and a missing header', () => {
    expect(parseM3u('#EXTINF:12 tvg-id="x",A - B\nnetease:2')).toEqual([
      { line: 2, location: 'netease:2', extinf: { durationSeconds: 12, display: 'A - B' } },
    ]);
  });
});

describe('locationToRef', () => {
  it('keeps song refs', () => expect(locationToRef('netease:186016')).toEqual({ ref: 'netease:186016' }));
  it('makes relative paths local refs', () => {
    expect(locationToRef('jazz/take five.mp3')).toEqual({ ref: 'local:jazz/take five.mp3' });
    expect(locationToRef('jazz\\so what.flac')).toEqual({ ref: 'local:jazz/so what.flac' });
    expect(locationToRef('./a/./b.mp3')).toEqual({ ref: 'local:a/b.mp3' });
  });
  it('maps absolute paths under --local-root only', () => {
    expect(locationToRef('/srv/music/jazz/a.mp3', { localRoot: '/srv/music/' })).toEqual({ ref: 'local:jazz/a.mp3' });
    expect(locationToRef('/home/me/a.mp3', { localRoot: '/srv/music' })).toHaveProperty('problem');
    expect(locationToRef('/srv/music/a.mp3')).toHaveProperty('problem');
  });
  it('refuses URLs, escapes from the folder and bad refs with a reason', () => {
    expect(locationToRef('http://example.invalid/a.mp3')).toEqual({ problem: expect.stringMatching(/URLs are not supported/) });
    expect(locationToRef('../a.mp3')).toEqual({ problem: expect.stringMatching(/\.\./) });
    expect(locationToRef('qq:short')).toEqual({ problem: expect.stringMatching(/QQ songmid/) });
  });
});

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
    expect(parseM3u(writeM3u(songs))).toEqual([{ line: 3, location: 'qq:0039MnYb0qxYhV', extinf: { durationSeconds: 269, display: '周杰伦 - 晴天' } }]);
  });
});
