import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Mp3FrameSplitter, type Mp3Frame } from '../../../src/audio/index.js';
import { readFrames } from '../../support/frames.js';

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
function noise(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** An MPEG-1 Layer III frame at 128 kb/s, 44.1 kHz, joint stereo: 417 bytes, 418 with the padding bit. */
function frame(padding: boolean, seed: number): Buffer {
  const length = 417 + (padding ? 1 : 0);
  const header = Buffer.from([0xff, 0xfb, 0x90 | (padding ? 0x02 : 0), 0x44]);
  return Buffer.concat([header, noise(length - 4, seed)]);
}

/** An ID3v2.4 tag of `bodyLength` bytes (its size is a 28-bit syncsafe integer). */
function id3Tag(bodyLength: number): Buffer {
  const size = [21, 14, 7, 0].map((shift) => (bodyLength >> shift) & 0x7f);
  return Buffer.concat([Buffer.from('ID3\x04\x00\x00', 'latin1'), Buffer.from(size), noise(bodyLength, 7).map((b) => b & 0x7f)]);
}

/** The Info frame LAME writes first in a CBR file: a silent frame carrying "Info" after the side info. */
function infoFrame(): Buffer {
  const bytes = Buffer.alloc(417);
  Buffer.from([0xff, 0xfb, 0x90, 0x44]).copy(bytes, 0);
  bytes.write('Info', 4 + 32, 'latin1');
  return bytes;
}

const AUDIO_FRAMES = Array.from({ length: 120 }, (_, i) => frame(i % 3 !== 0, i + 1));
const FILE = Buffer.concat([id3Tag(2000), infoFrame(), ...AUDIO_FRAMES]);

async function split(bytes: Buffer, chunkSize: number): Promise<Mp3Frame[]> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return readFrames(Readable.from(chunks).pipe(new Mp3FrameSplitter()));
}

describe('Mp3FrameSplitter', () => {
  it('yields exactly the audio frames, without the ID3 tag and the Info frame', async () => {
    const frames = await split(FILE, FILE.length);
    expect(frames).toHaveLength(AUDIO_FRAMES.length);
    frames.forEach((value, i) => {
      expect(value.bytes.equals(AUDIO_FRAMES[i]!)).toBe(true);
      expect(value.samples).toBe(1152);
    });
  });

  it.each([1, 417, 15999])('gives byte-identical frames when fed in chunks of %i bytes', async (chunkSize) => {
    const whole = await split(FILE, FILE.length);
    const chunked = await split(FILE, chunkSize);
    expect(chunked.map((value) => value.bytes.toString('hex'))).toEqual(whole.map((value) => value.bytes.toString('hex')));
  });

  it('skips garbage between frames and resynchronises', async () => {
    const bytes = Buffer.concat([AUDIO_FRAMES[0]!, AUDIO_FRAMES[1]!, Buffer.from('not audio at all'), ...AUDIO_FRAMES.slice(2, 10)]);
    const frames = await split(bytes, 100);
    // The frame right before the garbage has no header after it, so the parser cannot trust it.
    expect(frames.map((value) => value.bytes.equals(AUDIO_FRAMES[0]!))[0]).toBe(true);
    expect(frames.slice(-8).map((value) => value.bytes.toString('hex'))).toEqual(AUDIO_FRAMES.slice(2, 10).map((bytes) => bytes.toString('hex')));
  });

  it('hands out frames that stay valid after more input arrives (copies, not views)', async () => {
    const input = Buffer.from(FILE);
    const frames = await split(input, 333);
    input.fill(0);
    frames.forEach((value, i) => expect(value.bytes.equals(AUDIO_FRAMES[i]!)).toBe(true));
  });

  it('drops a last frame cut short by the end of the input, and keeps one that ends with it', async () => {
    const whole = Buffer.concat(AUDIO_FRAMES.slice(0, 5));
    expect(await split(whole, 100)).toHaveLength(5);
    expect(await split(whole.subarray(0, whole.length - 10), 100)).toHaveLength(4);
  });

  it('skips an ID3v2 tag between frames and goes on with the frames after it', async () => {
    const bytes = Buffer.concat([...AUDIO_FRAMES.slice(0, 4), id3Tag(3000), ...AUDIO_FRAMES.slice(4, 12)]);
    const frames = await split(bytes, 512);
    expect(frames.slice(0, 3).map((value) => value.bytes.toString('hex'))).toEqual(AUDIO_FRAMES.slice(0, 3).map((bytes) => bytes.toString('hex')));
    expect(frames.slice(-8).map((value) => value.bytes.toString('hex'))).toEqual(AUDIO_FRAMES.slice(4, 12).map((bytes) => bytes.toString('hex')));
  });

  it('finds no frame in bytes that only look like headers, and holds only a few of them back', async () => {
    const lookalikes = Buffer.alloc(200_000, 0xff);
    const splitter = new Mp3FrameSplitter();
    const frames = readFrames(splitter);
    splitter.write(lookalikes);
    expect((splitter as unknown as { pending: Buffer }).pending.length).toBeLessThan(4);
    splitter.end();
    expect(await frames).toHaveLength(0);
  });

  it('drops an Info frame wherever it is (files joined end to end each start with one)', async () => {
    const bytes = Buffer.concat([...AUDIO_FRAMES.slice(0, 3), infoFrame(), ...AUDIO_FRAMES.slice(3, 6)]);
    expect(await split(bytes, 1000)).toHaveLength(6);
  });
});

