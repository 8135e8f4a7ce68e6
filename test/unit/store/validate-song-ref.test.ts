import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/store/errors.js';
import { isSongRef, parseSongRef } from '../../../src/refs/index.js';
import { validateSongRef } from '../../../src/store/validate.js';

describe('validateSongRef', () => {
  it.each([
    ['qq:0039MnYb0qxYhV', { provider: 'qq', songmid: '0039MnYb0qxYhV' }],
    ['qq:002wit7s1Tvdlg', { provider: 'qq', songmid: '002wit7s1Tvdlg' }],
    ['netease:186016', { provider: 'netease', id: '186016' }],
    ['netease:1', { provider: 'netease', id: '1' }],
    ['local:jazz/take five.mp3', { provider: 'local', path: 'jazz/take five.mp3' }],
    ['local:晴天.flac', { provider: 'local', path: '晴天.flac' }],
  ])('accepts %s', (text, ref) => {
    expect(validateSongRef(text)).toBe(text);
    expect(parseSongRef(text)).toEqual({ kind: 'song', ...ref });
  });

  it.each([
    ['', 'empty'],
    ['186016', 'no service'],
    ['spotify:abc', 'unknown service'],
    ['qq:short', 'QQ songmid under 10 characters'],
    ['qq:0039MnYb0qxYhV0039MnYb', 'QQ songmid over 20 characters'],
    ['qq:0039MnYb-qxYhV', 'QQ songmid with punctuation'],
    ['netease:', 'empty NetEase id'],
    ['netease:123456789012345678901', 'NetEase id over 20 digits'],
    ['qq:002wit7s1T', 'QQ songmid that is not 14 characters'],
    ['netease:12a', 'NetEase id with a letter'],
    ['local:', 'empty path'],
    ['local:/etc/passwd', 'absolute path'],
    ['local:../secret.mp3', 'parent directory'],
    ['local:a/../../b.mp3', 'parent directory inside'],
    ['local:a//b.mp3', 'empty segment'],
    ['local:./a.mp3', 'dot segment'],
    ['local:a\\b.mp3', 'backslash'],
    ['local:a\nb.mp3', 'newline'],
    ['local:a\u0000b.mp3', 'NUL'],
    [`local:${'a'.repeat(1020)}.m4a`, 'ref over 1024 characters'],
    ['local:playlist:x', 'a playlist ref'],
    [' netease:1', 'leading space'],
  ])('refuses %j (%s) with a ValidationError', (text) => {
    expect(() => validateSongRef(text)).toThrow(ValidationError);
    expect(isSongRef(text)).toBe(false);
  });

  it('keeps the message on one line whatever the input holds', () => {
    expect(() => validateSongRef('local:a\nb')).toThrow(/^invalid song ref "local:a\\nb"/);
  });

  it('accepts a local path up to the relay\'s 1024-character ref limit', () => {
    expect(isSongRef(`local:${'a'.repeat(1014)}.m4a`)).toBe(true);
    expect(isSongRef(`local:${'a'.repeat(1015)}.m4a`)).toBe(false);
  });
});
