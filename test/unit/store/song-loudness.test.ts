import { describe, expect, it } from 'vitest';
import { decodeSongLoudness, encodeSongLoudness, summariseLoudness } from '../../../src/store/song-loudness.js';

describe('song loudness records', () => {
  it('read back as written, a true peak of -inf (digital silence) included', () => {
    for (const loudness of [{ integratedLufs: -18.2, truePeakDb: -0.9 }, { integratedLufs: -70, truePeakDb: -Infinity }]) {
      expect(decodeSongLoudness(encodeSongLoudness(loudness))).toEqual(loudness);
    }
    expect(JSON.parse(encodeSongLoudness({ integratedLufs: -70, truePeakDb: -Infinity }))).toEqual({ integratedLufs: -70, truePeakDb: null });
  });

  it('count as absent when they do not parse', () => {
    for (const text of [null, undefined, '', 'not json', '{}', '{"integratedLufs":"-18","truePeakDb":-1}', '{"integratedLufs":null,"truePeakDb":-1}']) {
      expect(decodeSongLoudness(text), String(text)).toBeNull();
    }
  });

  it('summarise to the count, the quietest, median and loudest song, and the highest true peak', () => {
    expect(summariseLoudness([])).toEqual({ measured: 0, minLufs: null, medianLufs: null, maxLufs: null, maxTruePeakDb: null });
    const three = [
      { integratedLufs: -9, truePeakDb: 0.4 },
      { integratedLufs: -24, truePeakDb: -9 },
      { integratedLufs: -14, truePeakDb: -Infinity },
    ];
    expect(summariseLoudness(three)).toEqual({ measured: 3, minLufs: -24, medianLufs: -14, maxLufs: -9, maxTruePeakDb: 0.4 });
    expect(summariseLoudness([...three, { integratedLufs: -18, truePeakDb: -2 }]).medianLufs).toBe(-16);
    expect(summariseLoudness([{ integratedLufs: -70, truePeakDb: -Infinity }]).maxTruePeakDb).toBeNull();
  });
});
