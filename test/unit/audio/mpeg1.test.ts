import { describe, expect, it } from 'vitest';
import {
  frameLengthBytes,
  MPEG1_SAMPLE_RATES,
  mpeg1BitrateIndex,
  mpeg1SampleRateIndex,
  SAMPLES_PER_FRAME,
} from '../../../src/audio/mpeg1.js';

describe('MPEG-1 Layer III table', () => {
  it('gives the header indexes ISO 11172-3 assigns', () => {
    expect(mpeg1BitrateIndex(32)).toBe(1);
    expect(mpeg1BitrateIndex(128)).toBe(9);
    expect(mpeg1BitrateIndex(320)).toBe(14);
    expect(mpeg1SampleRateIndex(44100)).toBe(0);
    expect(mpeg1SampleRateIndex(48000)).toBe(1);
    expect(mpeg1SampleRateIndex(32000)).toBe(2);
  });

  it('has no index for values MPEG-1 Layer III cannot carry', () => {
    expect(mpeg1BitrateIndex(144)).toBeUndefined();
    expect(mpeg1SampleRateIndex(22050)).toBeUndefined();
  });

  it('lists the sample rates lowest first', () => {
    expect(MPEG1_SAMPLE_RATES).toEqual([32000, 44100, 48000]);
  });

  it('sizes a 128 kb/s 44.1 kHz frame at 417 bytes, 418 when padded', () => {
    expect(frameLengthBytes(SAMPLES_PER_FRAME, 128, 44100, false)).toBe(417);
    expect(frameLengthBytes(SAMPLES_PER_FRAME, 128, 44100, true)).toBe(418);
  });
});
