import { describe, expect, it } from 'vitest';
import { displayTitle, fileSongName, joinArtists, splitDisplayTitle } from '../../src/song-title.js';

describe('song titles', () => {
  it('splitDisplayTitle reads back what displayTitle writes', () => {
    const song = { artist: 'Miles Davis', title: 'So What - Take 2' };
    expect(splitDisplayTitle(displayTitle(song))).toEqual(song);
    expect(splitDisplayTitle(displayTitle({ title: 'Intro' }))).toEqual({ title: 'Intro' });
    expect(splitDisplayTitle(' - B')).toEqual({ title: '- B' });
  });

  it('names a file "Artist - Title" unless a title is known, and never mixes a known title with a guessed artist', () => {
    expect(fileSongName('x/Adele - Hello.mp3')).toEqual({ title: 'Hello', artist: 'Adele' });
    expect(fileSongName('x/A - B.mp3', { title: 'Real title' })).toEqual({ title: 'Real title', artist: undefined });
    expect(fileSongName('x/A - B.mp3', { artist: 'Tagged' })).toEqual({ title: 'B', artist: 'Tagged' });
  });

  it('joins artists with a comma, as the relay API documents', () => {
    expect(joinArtists(['A', 'B'])).toBe('A, B');
  });
});
