import { describe, expect, it } from 'vitest';
import { isInfoFrame, parseMp3Header } from '../../../src/audio/index.js';

describe('parseMp3Header', () => {
  it('reads a 128 kb/s 44.1 kHz joint-stereo MPEG-1 Layer III header', () => {
    expect(parseMp3Header(Buffer.from([0xff, 0xfb, 0x90, 0x44]))).toEqual({
      mpegVersion: 1,
      layer: 3,
      bitrateKbps: 128,
      sampleRate: 44100,
      channels: 2,
      crcProtected: false,
      frameLength: 417,
      samples: 1152,
    });
  });

  it('counts the padding byte and reads mono at 64 kb/s 48 kHz', () => {
    expect(parseMp3Header(Buffer.from([0xff, 0xfb, 0x92, 0x44]))?.frameLength).toBe(418);
    const mono = parseMp3Header(Buffer.from([0xff, 0xfb, 0x54, 0xc4]));
    expect(mono).toMatchObject({ bitrateKbps: 64, sampleRate: 48000, channels: 1, frameLength: 192 });
  });

  it('rejects bytes that are not a frame header', () => {
    expect(parseMp3Header(Buffer.from('ID3\x04', 'latin1'))).toBeUndefined();
    expect(parseMp3Header(Buffer.from([0xff, 0xfb, 0xf0, 0x44]))).toBeUndefined(); // bitrate index 15
    expect(parseMp3Header(Buffer.from([0xff, 0xfb, 0x9c, 0x44]))).toBeUndefined(); // sample rate index 3
    expect(parseMp3Header(Buffer.from([0xff, 0xfb]))).toBeUndefined();
  });
});

describe('isInfoFrame', () => {
  const frameWithTagAt = (header: number[], offset: number, tag: string): Buffer => {
    const bytes = Buffer.alloc(417);
    Buffer.from(header).copy(bytes);
    bytes.write(tag, offset, 'latin1');
    return bytes;
  };

  it('recognises Xing and Info tags after the side information', () => {
    expect(isInfoFrame(frameWithTagAt([0xff, 0xfb, 0x90, 0x44], 36, 'Info'))).toBe(true);
    expect(isInfoFrame(frameWithTagAt([0xff, 0xfb, 0x90, 0x44], 36, 'Xing'))).toBe(true);
    expect(isInfoFrame(frameWithTagAt([0xff, 0xfb, 0x90, 0xc4], 4 + 17, 'Xing'))).toBe(true); // mono
    expect(isInfoFrame(frameWithTagAt([0xff, 0xfa, 0x90, 0x44], 4 + 2 + 32, 'Info'))).toBe(true); // with CRC
  });

  it('does not take an audio frame for one', () => {
    expect(isInfoFrame(frameWithTagAt([0xff, 0xfb, 0x90, 0x44], 40, 'Info'))).toBe(false);
    expect(isInfoFrame(Buffer.alloc(417))).toBe(false);
  });
});
