import { describe, expect, it } from 'vitest';
import { MAX_M3U_ENTRIES, parseM3u } from '../../../src/m3u/index.js';

describe('parseM3u', () => {
  it('reads entries in order with their #EXTINF text, over BOM, CRLF, blanks and other directives', () => {
    const text = '\uFEFF#EXTM3U\r\n#EXTINF:123,Adele - Hello\r\nsongs/hello.mp3\r\n\r\n#EXTGRP:x\r\nplain.m4a\r\n#EXTINF:-1 tvg-id="x",Only a title\r\n/abs/path.flac\r\n';
    expect(parseM3u(text, 100)).toEqual([
      { line: 3, location: 'songs/hello.mp3', durationSec: 123, artist: 'Adele', title: 'Hello' },
      { line: 6, location: 'plain.m4a' },
      { line: 8, location: '/abs/path.flac', title: 'Only a title' },
    ]);
  });

  it('reads refs with their #EXTINF and skips other comments', () => {
    const text = '\uFEFF#EXTM3U\r\n#PLAYLIST:x\r\n#EXTINF:201,Miles Davis - So What\r\nnetease:1\r\n\r\nqq:0039MnYb0qxYhV\r\n#EXTINF:-1,Unknown\r\njazz/a.mp3\r\n';
    expect(parseM3u(text)).toEqual([
      { line: 4, location: 'netease:1', durationSec: 201, artist: 'Miles Davis', title: 'So What' },
      { line: 6, location: 'qq:0039MnYb0qxYhV' },
      { line: 8, location: 'jazz/a.mp3', title: 'Unknown' },
    ]);
  });

  it('accepts EXTINF attributes and a missing header', () => {
    expect(parseM3u('#EXTINF:12 tvg-id="x",A - B\nnetease:2')).toEqual([{ line: 2, location: 'netease:2', durationSec: 12, artist: 'A', title: 'B' }]);
  });

  it('stops at maxEntries', () => {
    expect(parseM3u('a.mp3\nb.mp3\nc.mp3\n', 2).map((entry) => entry.location)).toEqual(['a.mp3', 'b.mp3']);
  });

  it(`reads at most ${MAX_M3U_ENTRIES} entries unless told fewer`, () => {
    expect(parseM3u('a.mp3\n'.repeat(MAX_M3U_ENTRIES + 1))).toHaveLength(MAX_M3U_ENTRIES);
  });

  it('applies #EXTINF to the next entry only', () => {
    expect(parseM3u('#EXTINF:5,T\na.mp3\nb.mp3', 10)).toEqual([
      { line: 2, location: 'a.mp3', durationSec: 5, title: 'T' },
      { line: 3, location: 'b.mp3' },
    ]);
  });

  // The three parsers this one replaced disagreed on the cases below; each test pins the choice made.

  it('ends a line at a lone CR (classic Mac) as well as at LF and CRLF', () => {
    expect(parseM3u('#EXTINF:5,A - B\ra.mp3\rb.mp3\r\nc.mp3\nd.mp3')).toEqual([
      { line: 2, location: 'a.mp3', durationSec: 5, artist: 'A', title: 'B' },
      { line: 3, location: 'b.mp3' },
      { line: 4, location: 'c.mp3' },
      { line: 5, location: 'd.mp3' },
    ]);
  });

  it('reads #EXTINF in any letter case', () => {
    expect(parseM3u('#extinf:7,Title\na.mp3')).toEqual([{ line: 2, location: 'a.mp3', durationSec: 7, title: 'Title' }]);
  });

  it('skips key="value" attributes before the comma, even when a quoted value holds a comma', () => {
    expect(parseM3u('#EXTINF:-1 tvg-id="x" tvg-name="Jazz, late",Miles Davis - So What\na.mp3')).toEqual([
      { line: 2, location: 'a.mp3', artist: 'Miles Davis', title: 'So What' },
    ]);
  });

  it('keeps the title when an attribute quote is never closed', () => {
    expect(parseM3u('#EXTINF:12 tvg-name="open,Title\na.mp3')).toEqual([{ line: 2, location: 'a.mp3', durationSec: 12, title: 'Title' }]);
  });

  it('keeps fractional durations and treats 0 and -1 as unknown', () => {
    expect(parseM3u('#EXTINF:12.5,A\na.mp3\n#EXTINF:0,B\nb.mp3\n#EXTINF:-1,C\nc.mp3')).toEqual([
      { line: 2, location: 'a.mp3', durationSec: 12.5, title: 'A' },
      { line: 4, location: 'b.mp3', title: 'B' },
      { line: 6, location: 'c.mp3', title: 'C' },
    ]);
  });

  it('keeps the title when the duration is missing, and the duration when the title is', () => {
    expect(parseM3u('#EXTINF:,Only a title\na.mp3\n#EXTINF:42\nb.mp3\n#EXTINF: 9 ,  Spaced  \nc.mp3')).toEqual([
      { line: 2, location: 'a.mp3', title: 'Only a title' },
      { line: 4, location: 'b.mp3', durationSec: 42 },
      { line: 6, location: 'c.mp3', durationSec: 9, title: 'Spaced' },
    ]);
  });

  it('takes a later #EXTINF over an earlier one, and other comments between them change nothing', () => {
    expect(parseM3u('#EXTINF:1,Old\n# a comment\n#EXTINF:2,New\n#EXTGRP:x\na.mp3')).toEqual([{ line: 5, location: 'a.mp3', durationSec: 2, title: 'New' }]);
  });
});
