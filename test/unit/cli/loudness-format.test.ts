import { describe, expect, it } from 'vitest';
import { describeLoudnessSummary, describeSongLoudness, songLoudnessJson } from '../../../src/cli/format/loudness.js';

const song = { integratedLufs: -18.2, truePeakDb: -4.9 };

describe('a song\'s loudness in `relaycast song`', () => {
  it('shows the figures and the gain each target applies, one line per target, stations with loudness off apart', () => {
    const stations = [
      { name: 'jazz', loudness: -16 },
      { name: 'main', loudness: -16 },
      { name: 'quiet', loudness: -23 },
      { name: 'raw', loudness: null },
    ];
    expect(describeSongLoudness(song, stations)).toEqual([
      '  loudness: -18.2 LUFS, true peak -4.9 dBTP',
      '  gain:     +1.5 dB for the target -16 LUFS (jazz, main)',
      '            -4.5 dB for the target -23 LUFS (quiet)',
      '            none, loudness off (raw)',
    ]);
  });

  it('says when the true peak holds a raise back, and names at most five stations per line', () => {
    const stations = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => ({ name, loudness: -12 }));
    expect(describeSongLoudness({ integratedLufs: -18.2, truePeakDb: -2.9 }, stations)).toEqual([
      '  loudness: -18.2 LUFS, true peak -2.9 dBTP',
      '  gain:     +1.5 dB for the target -12 LUFS (a, b, c, d, e and 2 more); +6.0 dB wanted, held back to keep the true peak at most -1 dBTP',
    ]);
  });

  it('says a song is not measured yet, and leaves out the gain when no station exists', () => {
    expect(describeSongLoudness(null, [{ name: 'main', loudness: -16 }])).toEqual(['  loudness: not measured yet (a worker measures a song when it transcodes it into its cache)']);
    expect(describeSongLoudness(song, [])).toEqual(['  loudness: -18.2 LUFS, true peak -4.9 dBTP']);
  });

  it('--json carries the figures and each station\'s gain in dB', () => {
    expect(songLoudnessJson(null, [])).toEqual({ measured: false });
    expect(songLoudnessJson({ integratedLufs: -70, truePeakDb: -Infinity }, [{ name: 'main', loudness: -16 }, { name: 'raw', loudness: null }])).toEqual({
      measured: true,
      integratedLufs: -70,
      truePeakDb: null,
      stations: [
        { station: 'main', targetLufs: -16, gainDb: 0 },
        { station: 'raw', targetLufs: null, gainDb: 0 },
      ],
    });
  });
});

describe('the loudness line of `relaycast cache stats`', () => {
  it('shows how many songs are measured, their spread, median and highest true peak', () => {
    expect(describeLoudnessSummary({ measured: 0, minLufs: null, medianLufs: null, maxLufs: null, maxTruePeakDb: null })).toBe('loudness: no song measured yet');
    expect(describeLoudnessSummary({ measured: 12, minLufs: -24.04, medianLufs: -14, maxLufs: -8.1, maxTruePeakDb: 0.31 })).toBe(
      'loudness: 12 songs measured, -24.0 to -8.1 LUFS (spread 15.9 LU, median -14.0 LUFS), highest true peak 0.3 dBTP',
    );
    expect(describeLoudnessSummary({ measured: 1, minLufs: -70, medianLufs: -70, maxLufs: -70, maxTruePeakDb: null })).toBe('loudness: 1 song measured, -70.0 to -70.0 LUFS (spread 0.0 LU, median -70.0 LUFS)');
  });
});
