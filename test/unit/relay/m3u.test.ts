import { describe, expect, it } from 'vitest';
import { parseM3u } from '../../../src/relay/providers/local/m3u.js';

describe('parseM3u', () => {
  it('reads entries in order with their #EXTINF text, over BOM, CRLF, blanks and other directives', () => {
    const text = '\uFEFF#EXTM3U\r\n#EXTINF:123,Adele - Hello\r\nsongs/hello.mp3\r\n\r\n#EXTGRP:x\r\nplain.m4a\r\n#EXTINF:-1 tvg-id="x",Only a title\r\n/abs/path.flac\r\n';
    expect(parseM3u(text, 100)).toEqual([
      { location: 'songs/hello.mp3', durationSec: 123, artist: 'Adele', title: 'Hello' },
      { location: 'plain.m4a' },
      { location: '/abs/path.flac', title: 'Only a title' },
    ]);
  });

  it('stops at maxEntries', () => {
    expect(parseM3u('a.mp3\nb.mp3\nc.mp3\n', 2).map((entry) => entry.location)).toEqual(['a.mp3', 'b.mp3']);
  });

  it('applies #EXTINF to the next entry only', () => {
    expect(parseM3u('#EXTINF:5,T\na.mp3\nb.mp3', 10)).toEqual([{ location: 'a.mp3', durationSec: 5, title: 'T' }, { location: 'b.mp3' }]);
  });
});
