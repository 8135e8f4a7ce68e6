import { describe, expect, it } from 'vitest';
import { localSongInfo } from '../../../src/relay/providers/local/tags.js';

describe('localSongInfo', () => {
  it('uses the tags when present', () => {
    expect(localSongInfo('local:x/a.m4a', 'x/a.m4a', { title: ' Hello ', artist: 'Adele', album: '25', durationMs: 295_000.4 })).toEqual({
      ref: 'local:x/a.m4a',
      title: 'Hello',
      artists: ['Adele'],
      album: '25',
      durationMs: 295_000,
    });
  });

  it('falls back to the file name, read as "Artist - Title" when it has that form', () => {
    expect(localSongInfo('local:x/Adele - Hello.mp3', 'x/Adele - Hello.mp3', {})).toEqual({
      ref: 'local:x/Adele - Hello.mp3',
      title: 'Hello',
      artists: ['Adele'],
    });
    expect(localSongInfo('local:01 Intro.flac', '01 Intro.flac', { title: '  ' })).toEqual({ ref: 'local:01 Intro.flac', title: '01 Intro', artists: [] });
  });

  it('does not mix a tagged title with an artist guessed from the file name', () => {
    expect(localSongInfo('local:A - B.mp3', 'A - B.mp3', { title: 'Real title' }).artists).toEqual([]);
  });
});
