import { beforeAll, describe, expect, it } from 'vitest';
import { SilentFrames, bytesPerSecond, parseMp3Header, type StreamFormat } from '../../src/audio/index.js';
import { decodeMp3 } from '../support/decode.js';
import { requirePrograms } from '../support/prereq.js';

const FORMATS: StreamFormat[] = [
  { bitrateKbps: 128, sampleRate: 44100, channels: 2 },
  { bitrateKbps: 64, sampleRate: 48000, channels: 1 },
  { bitrateKbps: 320, sampleRate: 32000, channels: 2 },
];

beforeAll(() => {
  requirePrograms('ffmpeg', 'ffprobe');
});

describe('SilentFrames', () => {
  it.each(FORMATS)('makes MPEG-1 Layer III frames in exactly %o', (format) => {
    const silence = new SilentFrames(format);
    for (let index = 0; index < 50; index += 1) {
      const frame = silence.next();
      const header = parseMp3Header(frame.bytes);
      expect(header).toMatchObject({ mpegVersion: 1, layer: 3, ...format });
      expect(frame.bytes.length).toBe(header!.frameLength);
      expect(frame.samples).toBe(1152);
    }
  });

  it.each(FORMATS)('has exactly the nominal bitrate over a minute (%o)', (format) => {
    const silence = new SilentFrames(format);
    const frames = Math.round((60 * format.sampleRate) / 1152);
    let bytes = 0;
    for (let index = 0; index < frames; index += 1) bytes += silence.next().bytes.length;
    const seconds = (frames * 1152) / format.sampleRate;
    expect(Math.abs(bytes / seconds / bytesPerSecond(format) - 1)).toBeLessThan(0.0005);
  });

  it.each(FORMATS)('repeated 500 times, decodes cleanly to nothing but silence (%o)', async (format) => {
    const silence = new SilentFrames(format);
    const decoded = await decodeMp3(Buffer.concat(Array.from({ length: 500 }, () => silence.next().bytes)), { noiseDb: -90 });
    expect(decoded.errors).toEqual([]);
    expect(decoded.durationSec).toBeCloseTo((500 * 1152) / format.sampleRate, 3);
    expect(decoded.silences).toHaveLength(1);
    expect(decoded.silences[0]!.start).toBe(0);
    expect(decoded.silences[0]!.duration).toBeCloseTo(decoded.durationSec, 2);
  });

  it('refuses a format MPEG-1 Layer III cannot carry', () => {
    expect(() => new SilentFrames({ bitrateKbps: 128, sampleRate: 22050, channels: 2 })).toThrow(/sample rate 22050/);
  });
});
