import { describe, expect, it } from 'vitest';
import {
  formatRef,
  hasProviderPrefix,
  isPlaylistRef,
  parsePlaylistRef,
  parseRef,
  parseSongRef,
  RefSyntaxError,
} from '../../../src/refs/index.js';

describe('parseRef', () => {
  it.each([
    ['qq:002wit7s1Tvdlg', { kind: 'song', provider: 'qq', songmid: '002wit7s1Tvdlg' }],
    ['netease:33894312', { kind: 'song', provider: 'netease', id: '33894312' }],
    ['local:Artist/Album/01 Song.m4a', { kind: 'song', provider: 'local', path: 'Artist/Album/01 Song.m4a' }],
    ['local:華語/小宝贝.MP3', { kind: 'song', provider: 'local', path: '華語/小宝贝.MP3' }],
    ['qq:playlist:1760653792', { kind: 'playlist', provider: 'qq', id: '1760653792' }],
    ['netease:playlist:7775163417', { kind: 'playlist', provider: 'netease', id: '7775163417' }],
    ['local:playlist:mixes/chill', { kind: 'playlist', provider: 'local', name: 'mixes/chill' }],
  ])('reads %s', (text, ref) => {
    expect(parseRef(text)).toEqual(ref);
    expect(formatRef(parseRef(text))).toBe(text);
  });

  it.each([
    ['', 'expected qq:<songmid>'],
    ['spotify:track:1', 'expected qq:<songmid>'],
    ['QQ:002wit7s1Tvdlg', 'expected qq:<songmid>'],
    ['qq:002wit7s1Tvdl', 'a QQ songmid is 14 letters or digits'],
    ['qq:http://evil.example/a', 'a QQ songmid is 14 letters or digits'],
    ['qq:002wit7s1Tvdlg?x=1', 'a QQ songmid is 14 letters or digits'],
    ['netease:1@evil', 'a NetEase song id is a positive decimal number'],
    ['netease:1/../../x', 'a NetEase song id is a positive decimal number'],
    ['netease:0', 'a NetEase song id is a positive decimal number'],
    ['netease:12 ', 'a NetEase song id is a positive decimal number'],
    ['netease:playlist:abc', 'a NetEase playlist id is a positive decimal number'],
    ['local:../../etc/passwd', "segments starting with '.' are refused"],
    ['local:music/../../x.mp3', "segments starting with '.' are refused"],
    ['local:/etc/passwd.mp3', 'absolute paths are refused'],
    ['local:a\u0000b.mp3', 'control characters'],
    ['local:a\nb.mp3', 'control characters'],
    ['local:%2e%2e/x.mp3', "'%' is refused"],
    ['local:a\\..\\b.mp3', 'backslashes are refused'],
    ['local:a//b.mp3', 'empty path segment'],
    ['local:.hidden/a.mp3', "segments starting with '.'"],
    ['local:notes.txt', 'not an audio file'],
    ['local:music', 'not an audio file'],
    ['local:playlist:', 'empty path'],
    ['local:playlist:../x', "segments starting with '.'"],
    [`local:${'a'.repeat(1100)}.mp3`, 'longer than 1024 characters'],
  ])('refuses %j', (text, problem) => {
    expect(() => parseRef(text)).toThrow(RefSyntaxError);
    expect(() => parseRef(text)).toThrow(problem);
  });

  it('keeps the message on one line whatever the ref holds', () => {
    try {
      parseRef('local:a\nb\r.mp3');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RefSyntaxError);
      expect((error as RefSyntaxError).message).not.toMatch(/[\r\n]/);
      expect((error as RefSyntaxError).code).toBe('ERR_REF_SYNTAX');
      expect((error as RefSyntaxError).ref).toBe('local:a\nb\r.mp3');
    }
  });

  it('tells a song ref from a playlist ref where one kind is needed', () => {
    expect(() => parseSongRef('qq:playlist:1')).toThrow('a song ref is needed here');
    expect(() => parsePlaylistRef('qq:002wit7s1Tvdlg')).toThrow('a playlist ref is needed here');
  });
});

describe('isPlaylistRef', () => {
  it.each(['netease:playlist:2829883282', 'qq:playlist:7039374453', 'local:playlist:evening mix'])('accepts %s', (text) => {
    expect(isPlaylistRef(text)).toBe(true);
    expect(formatRef(parsePlaylistRef(text))).toBe(text);
  });

  it.each(['netease:playlist:', 'netease:playlist:abc', 'qq:playlist:x1', 'local:playlist:..', 'netease:186016', 'playlist:1'])(
    'refuses %s',
    (text) => {
      expect(isPlaylistRef(text)).toBe(false);
      expect(() => parsePlaylistRef(text)).toThrow(RefSyntaxError);
    },
  );
});

describe('hasProviderPrefix', () => {
  it('tells text meant as a ref, well formed or not, from paths and URLs', () => {
    expect(['qq:short', 'netease:playlist:1', 'local:a.mp3'].map(hasProviderPrefix)).toEqual([true, true, true]);
    expect(['/srv/a.mp3', 'a.mp3', 'http://example.invalid/a.mp3', 'QQ:002wit7s1Tvdlg'].map(hasProviderPrefix)).toEqual([false, false, false, false]);
  });
});
