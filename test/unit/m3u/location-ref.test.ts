import { describe, expect, it } from 'vitest';
import { libraryPathOf, locationToRef } from '../../../src/m3u/index.js';

describe('locationToRef', () => {
  it('keeps song refs', () => expect(locationToRef('netease:186016')).toEqual({ ok: true, value: 'netease:186016' }));
  it('makes relative paths local refs', () => {
    expect(locationToRef('jazz/take five.mp3')).toEqual({ ok: true, value: 'local:jazz/take five.mp3' });
    expect(locationToRef('jazz\\so what.flac')).toEqual({ ok: true, value: 'local:jazz/so what.flac' });
    expect(locationToRef('./a/./b.mp3')).toEqual({ ok: true, value: 'local:a/b.mp3' });
  });
  it('maps absolute paths under --local-root only', () => {
    expect(locationToRef('/srv/music/jazz/a.mp3', { localRoot: '/srv/music/' })).toEqual({ ok: true, value: 'local:jazz/a.mp3' });
    expect(locationToRef('/home/me/a.mp3', { localRoot: '/srv/music' })).toHaveProperty('failure');
    expect(locationToRef('/srv/music/a.mp3')).toHaveProperty('failure');
  });
  it('refuses URLs, escapes from the folder and bad refs with a reason', () => {
    expect(locationToRef('http://example.invalid/a.mp3')).toEqual({ ok: false, failure: expect.stringMatching(/URLs are not supported/) });
    expect(locationToRef('../a.mp3')).toEqual({ ok: false, failure: expect.stringMatching(/\.\./) });
    expect(locationToRef('qq:short')).toEqual({ ok: false, failure: expect.stringMatching(/QQ songmid/) });
  });
});

describe('libraryPathOf', () => {
  const library = { roots: ['/real/music', '/srv/music/'], folder: 'mixes' };

  it('counts relative entries from the M3U folder', () => {
    expect(libraryPathOf('a.mp3', library)).toEqual({ ok: true, value: 'mixes/a.mp3' });
    expect(libraryPathOf('../jazz/b.mp3', library)).toEqual({ ok: true, value: 'jazz/b.mp3' });
    expect(libraryPathOf('sub\\c.mp3', library)).toEqual({ ok: true, value: 'mixes/sub/c.mp3' });
  });

  it('takes absolute entries under any of the roots', () => {
    expect(libraryPathOf('/real/music/jazz/a.mp3', library)).toEqual({ ok: true, value: 'jazz/a.mp3' });
    expect(libraryPathOf('/srv/music/jazz/a.mp3', library)).toEqual({ ok: true, value: 'jazz/a.mp3' });
    expect(libraryPathOf('/srv/musicals/a.mp3', library)).toHaveProperty('failure');
  });

  it('refuses entries that leave the library or are URLs', () => {
    expect(libraryPathOf('../../a.mp3', library)).toEqual({ ok: false, failure: expect.stringMatching(/\.\./) });
    expect(libraryPathOf('/real/music/../a.mp3', library)).toEqual({ ok: false, failure: expect.stringMatching(/\.\./) });
    expect(libraryPathOf('C:\\music\\a.mp3', library)).toHaveProperty('failure');
    expect(libraryPathOf('https://example.invalid/a.mp3', library)).toEqual({ ok: false, failure: expect.stringMatching(/URLs are not supported/) });
    expect(libraryPathOf('file:///real/music/a.mp3', library)).toHaveProperty('failure');
  });
});
