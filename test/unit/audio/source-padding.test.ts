import { describe, expect, it } from 'vitest';
import { declaredLength, sourcePaddingSamples, type ProbedContainer } from '../../../src/audio/source-padding.js';

const probe = (formatName: string, stream: Record<string, unknown>): ProbedContainer =>
  ({ format: { format_name: formatName }, streams: [{ codec_type: 'audio', ...stream }] }) as ProbedContainer;

describe('AAC source padding', () => {
  it('reads the declared length of AAC in MP4 from the stream duration', () => {
    const data = probe('mov,mp4,m4a,3gp,3g2,mj2', { codec_name: 'aac', sample_rate: 44100, duration_ts: 132741, time_base: '1/44100' });
    expect(declaredLength(data)).toEqual({ samples: 132741, sampleRate: 44100 });
  });

  it('trusts no declaration outside MP4 or for other codecs', () => {
    expect(declaredLength(probe('aac', { codec_name: 'aac', sample_rate: 44100, duration_ts: 1, time_base: '1/44100' }))).toBeUndefined();
    expect(declaredLength(probe('flac', { codec_name: 'flac', sample_rate: 44100, duration_ts: 1, time_base: '1/44100' }))).toBeUndefined();
  });

  it('converts the extra decoded samples to the output rate, within a plausible padding only', () => {
    expect(sourcePaddingSamples(133120, { samples: 132741, sampleRate: 44100 }, 44100)).toBe(379);
    expect(sourcePaddingSamples(133120, { samples: 132741, sampleRate: 44100 }, 48000)).toBe(413);
    expect(sourcePaddingSamples(132741, { samples: 132741, sampleRate: 44100 }, 44100)).toBe(0);
    expect(sourcePaddingSamples(140000, { samples: 132741, sampleRate: 44100 }, 44100)).toBe(0);
    expect(sourcePaddingSamples(133120, undefined, 44100)).toBe(0);
  });
});
