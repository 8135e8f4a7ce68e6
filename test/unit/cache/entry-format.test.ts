import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeHeader,
  encodeHeader,
  ENTRY_VERSION,
  FRAME_PREFIX_BYTES,
  framePrefix,
  FrameRecordDecoder,
  headerLength,
  unstorableFrame,
} from '../../../src/cache/entry-format.js';
import { asText, songFrames } from './frames.js';

const header = { formatKey: 'mp3-128k-44100-2ch', ref: 'qq:0039MnYb0qxYhV/é', frameCount: 11_500, payloadBytes: 4_843_000, payloadCrc: 0xdeadbeef };

function records(frames: ReturnType<typeof songFrames>): Buffer {
  return Buffer.concat(frames.flatMap((frame) => [framePrefix(frame), frame.bytes]));
}

describe('cache entry header', () => {
  it('round-trips every field, including non-ASCII refs, and reports its own length', () => {
    const bytes = encodeHeader(header);
    expect(bytes.length).toBe(headerLength(header.ref, header.formatKey));
    const decoded = decodeHeader(Buffer.concat([bytes, Buffer.from('payload follows')]));
    expect(decoded).toEqual({ ok: true, value: { header, length: bytes.length } });
  });

  it('starts with the magic and the version', () => {
    const bytes = encodeHeader(header);
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RCAF');
    expect(bytes.readUInt16BE(4)).toBe(ENTRY_VERSION);
  });

  it('rejects a header cut short at any offset', () => {
    const bytes = encodeHeader(header);
    for (let length = 0; length < bytes.length; length += 1) {
      expect(decodeHeader(bytes.subarray(0, length)).ok, `cut at ${length}`).toBe(false);
    }
  });

  it('rejects any single flipped byte', () => {
    const bytes = encodeHeader(header);
    for (let offset = 0; offset < bytes.length; offset += 1) {
      const damaged = Buffer.from(bytes);
      damaged[offset] = damaged[offset]! ^ 0x40;
      expect(decodeHeader(damaged).ok, `flipped at ${offset}`).toBe(false);
    }
  });

  it('names the problem: not an entry, or another version', () => {
    expect(decodeHeader(Buffer.alloc(64))).toEqual({ ok: false, failure: 'not a relaycast cache entry (bad magic)' });
    const future = encodeHeader(header);
    future.writeUInt16BE(ENTRY_VERSION + 1, 4);
    expect(decodeHeader(future)).toEqual({ ok: false, failure: `entry format version ${ENTRY_VERSION + 1}, expected 1 or ${ENTRY_VERSION}` });
  });

  it('keeps the loudness ffmpeg measured (1/100 dB, -inf for a silent song\'s peak) and says nothing when none was measured', () => {
    for (const loudness of [{ integratedLufs: -23.47, truePeakDb: -0.3 }, { integratedLufs: -70, truePeakDb: -Infinity }, { integratedLufs: -8, truePeakDb: 2.5 }]) {
      const decoded = decodeHeader(encodeHeader({ ...header, loudness }));
      expect(decoded.ok && decoded.value.header.loudness).toEqual(loudness);
    }
    const unmeasured = decodeHeader(encodeHeader({ ...header, loudness: undefined }));
    expect(unmeasured.ok && unmeasured.value.header).toEqual(header);
  });

  it('still reads a version 1 entry, written before loudness was measured: no loudness', () => {
    const v2 = encodeHeader({ ...header, loudness: { integratedLufs: -16, truePeakDb: -1 } });
    // Version 1 is the same layout without the 4 loudness bytes before the CRC.
    const v1 = Buffer.concat([v2.subarray(0, v2.length - 8), Buffer.alloc(4)]);
    v1.writeUInt16BE(1, 4);
    v1.writeUInt16BE(v1.length, 6);
    v1.writeUInt32BE(crc32(v1.subarray(0, v1.length - 4)), v1.length - 4);
    expect(decodeHeader(Buffer.concat([v1, Buffer.from('payload')]))).toEqual({ ok: true, value: { header, length: v1.length } });
  });
});

describe('FrameRecordDecoder', () => {
  const frames = songFrames('song', 40);
  const payload = records(frames);

  it('gives back the frames whole, whatever the chunk sizes', () => {
    for (const chunkSize of [1, 3, FRAME_PREFIX_BYTES, 417, 420, 421, 4095, payload.length]) {
      const decoder = new FrameRecordDecoder();
      const decoded = [];
      for (let offset = 0; offset < payload.length; offset += chunkSize) decoded.push(...decoder.push(payload.subarray(offset, offset + chunkSize)));
      expect(asText(decoded), `chunks of ${chunkSize}`).toEqual(asText(frames));
      expect(decoder.frames).toBe(frames.length);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('holds back an incomplete last record instead of inventing a frame', () => {
    const decoder = new FrameRecordDecoder();
    const decoded = decoder.push(payload.subarray(0, payload.length - 1));
    expect(decoded).toHaveLength(frames.length - 1);
    expect(decoder.pendingBytes).toBeGreaterThan(0);
  });

  it('throws on a zero-length record, which no valid entry holds', () => {
    expect(() => new FrameRecordDecoder().push(Buffer.alloc(8))).toThrow(/zero-length/);
  });

  it('checks (counts and holds back) the same records without handing out frames', () => {
    for (const chunkSize of [1, 421, payload.length]) {
      const decoder = new FrameRecordDecoder();
      for (let offset = 0; offset < payload.length - 1; offset += chunkSize) decoder.check(payload.subarray(offset, Math.min(offset + chunkSize, payload.length - 1)));
      expect(decoder.frames, `chunks of ${chunkSize}`).toBe(frames.length - 1);
      expect(decoder.pendingBytes).toBeGreaterThan(0);
      decoder.check(payload.subarray(payload.length - 1));
      expect(decoder.frames).toBe(frames.length);
      expect(decoder.pendingBytes).toBe(0);
    }
    expect(() => new FrameRecordDecoder().check(Buffer.alloc(8))).toThrow(/zero-length/);
  });

  it('checks correctly when the caller reads every chunk into the same buffer', () => {
    // A record that spans two chunks must be kept as a copy: the next read overwrites the first chunk.
    for (const chunkSize of [3, 421, 4095]) {
      const scratch = Buffer.alloc(chunkSize);
      const decoder = new FrameRecordDecoder();
      for (let offset = 0; offset < payload.length; offset += chunkSize) {
        const length = payload.copy(scratch, 0, offset, Math.min(offset + chunkSize, payload.length));
        decoder.check(scratch.subarray(0, length));
        scratch.fill(0);
      }
      expect(decoder.frames, `chunks of ${chunkSize}`).toBe(frames.length);
      expect(decoder.pendingBytes).toBe(0);
    }
  });
});

describe('unstorableFrame', () => {
  it('accepts real frames and names what is wrong with the others', () => {
    expect(unstorableFrame({ bytes: Buffer.alloc(417), samples: 1152 })).toBeUndefined();
    expect(unstorableFrame({ bytes: Buffer.alloc(0), samples: 1152 })).toMatch(/0 bytes/);
    expect(unstorableFrame({ bytes: Buffer.alloc(70_000), samples: 1152 })).toMatch(/70000 bytes/);
    expect(unstorableFrame({ bytes: Buffer.alloc(4), samples: 1.5 })).toMatch(/1.5 samples/);
    expect(unstorableFrame('not a frame')).toMatch(/not an Mp3Frame/);
  });
});
