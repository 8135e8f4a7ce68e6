import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMp3Gain, GAIN_STEP_DB, globalGains, Mp3FrameSplitter, parseMp3Header, type Mp3Frame } from '../../../src/audio/index.js';
import { layer3Crc } from '../../../src/audio/mp3-gain.js';
import { readFrames } from '../../support/frames.js';
import { makeLoudTone, measureLoudness } from '../../support/loudness.js';
import { makeTempDir } from '../../support/tmp.js';

const run = promisify(execFile);

/** Every Layer III side-information layout: MPEG-1, MPEG-2 and MPEG-2.5, mono and stereo. */
const LAYOUTS = [
  { name: 'MPEG-1 stereo 44.1 kHz 128 kb/s', sampleRate: 44100, channels: 2, bitrate: '128k', version: 1 },
  { name: 'MPEG-1 mono 48 kHz 64 kb/s', sampleRate: 48000, channels: 1, bitrate: '64k', version: 1 },
  { name: 'MPEG-2 stereo 22.05 kHz 64 kb/s', sampleRate: 22050, channels: 2, bitrate: '64k', version: 2 },
  { name: 'MPEG-2 mono 16 kHz 32 kb/s', sampleRate: 16000, channels: 1, bitrate: '32k', version: 2 },
  { name: 'MPEG-2.5 stereo 11.025 kHz 32 kb/s', sampleRate: 11025, channels: 2, bitrate: '32k', version: 2.5 },
  { name: 'MPEG-2.5 mono 8 kHz 16 kb/s', sampleRate: 8000, channels: 1, bitrate: '16k', version: 2.5 },
] as const;

let dir: string;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove: removeDir } = await makeTempDir('mp3-gain'));
});

afterAll(async () => {
  await removeDir();
});

/** A -20 LUFS tone encoded by libmp3lame in the layout, split into frames (no Info frame, no tag). */
async function encodedFrames(layout: (typeof LAYOUTS)[number]): Promise<Mp3Frame[]> {
  const flac = join(dir, `tone-${layout.sampleRate}-${layout.channels}.flac`);
  await makeLoudTone({ path: flac, seconds: 4, frequency: 300, lufs: -20, format: 'flac', sampleRate: layout.sampleRate, channels: layout.channels });
  const mp3 = join(dir, `tone-${layout.sampleRate}-${layout.channels}.mp3`);
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', flac, '-c:a', 'libmp3lame', '-b:a', layout.bitrate, '-f', 'mp3', mp3]);
  return readFrames(Readable.from([await readFile(mp3)]).pipe(new Mp3FrameSplitter()));
}

function joined(frames: readonly Mp3Frame[]): Buffer {
  return Buffer.concat(frames.map((frame) => frame.bytes));
}

describe('applyMp3Gain', () => {
  for (const layout of LAYOUTS) {
    it(`${layout.name}: +k then -k steps gives the original bytes back, and k steps change the decoded level by k × 1.5 dB`, async () => {
      const frames = await encodedFrames(layout);
      expect(frames.length).toBeGreaterThan(20);
      const header = parseMp3Header(frames[0]!.bytes)!;
      expect(header).toMatchObject({ mpegVersion: layout.version, channels: layout.channels, layer: 3 });
      const original = joined(frames);
      const before = await measureLoudness(original);

      for (const steps of [3, -4]) {
        const gained = frames.map((frame) => applyMp3Gain(frame.bytes, steps));
        // Same lengths, only global_gain changed, by exactly `steps` (no field near 0 or 255 at this level).
        gained.forEach((bytes, index) => {
          expect(bytes.length).toBe(frames[index]!.bytes.length);
          expect(globalGains(bytes)).toEqual(globalGains(frames[index]!.bytes)!.map((gain) => gain + steps));
        });
        expect(joined(gained.map((bytes) => ({ bytes: applyMp3Gain(bytes, -steps), samples: 0 })))).toEqual(original);

        const after = await measureLoudness(Buffer.concat(gained));
        expect(after.errors).toEqual([]);
        // ebur128 prints one decimal, so two readings differ by up to 0.1 dB from rounding alone.
        expect(Math.abs(after.lufs - before.lufs - steps * GAIN_STEP_DB)).toBeLessThanOrEqual(0.15);
        expect(Math.abs(after.samplePeakDb - before.samplePeakDb - steps * GAIN_STEP_DB)).toBeLessThanOrEqual(0.15);
      }
      // The input is never modified: the disk cache's writer may still hold it.
      expect(joined(frames)).toEqual(original);
    });
  }

  it('clamps global_gain to 0..255', async () => {
    const frames = await encodedFrames(LAYOUTS[0]);
    const frame = frames[10]!.bytes;
    expect(globalGains(applyMp3Gain(frame, 300))!.every((gain) => gain === 255)).toBe(true);
    expect(globalGains(applyMp3Gain(frame, -300))!.every((gain) => gain === 0)).toBe(true);
  });

  it('leaves a gain of 0 and frames that are not Layer III alone', () => {
    const notAudio = Buffer.from('ID3\x04 some tag bytes', 'latin1');
    expect(applyMp3Gain(notAudio, 2)).toBe(notAudio);
    // Layer II header (MPEG-1, 128 kb/s, 44.1 kHz).
    const layer2 = Buffer.alloc(417);
    Buffer.from([0xff, 0xfd, 0x90, 0x44]).copy(layer2);
    expect(applyMp3Gain(layer2, 2)).toBe(layer2);
    const frame = Buffer.alloc(417);
    Buffer.from([0xff, 0xfb, 0x90, 0x44]).copy(frame);
    expect(applyMp3Gain(frame, 0)).toBe(frame);
    expect(() => applyMp3Gain(frame, 1.5)).toThrow(RangeError);
  });

  it('recomputes the CRC of protected frames: ffmpeg with CRC checking decodes them gained without an error', async () => {
    // libmp3lame has no CRC option in ffmpeg; protect its frames by hand. With -reservoir 0 each frame's main
    // data starts in the frame itself, and CBR leaves stuffing at its end: two bytes of it make room for the CRC.
    const mp3 = join(dir, 'crc-source.mp3');
    const flac = join(dir, 'crc-source.flac');
    await makeLoudTone({ path: flac, seconds: 4, frequency: 440, lufs: -20, format: 'flac' });
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', flac, '-c:a', 'libmp3lame', '-b:a', '128k', '-reservoir', '0', '-f', 'mp3', mp3]);
    const frames = await readFrames(Readable.from([await readFile(mp3)]).pipe(new Mp3FrameSplitter()));
    const protectedFrames = frames.map((frame) => protect(frame.bytes));
    const crcChecked = async (bytes: Buffer) => {
      const path = join(dir, 'crc-checked.mp3');
      await writeFile(path, bytes);
      return measureLoudness(path, ['-err_detect', 'crccheck']);
    };

    const plain = await crcChecked(Buffer.concat(protectedFrames));
    expect(plain.errors).toEqual([]);
    const gained = await crcChecked(Buffer.concat(protectedFrames.map((bytes) => applyMp3Gain(bytes, 4))));
    expect(gained.errors).toEqual([]);
    expect(Math.abs(gained.lufs - plain.lufs - 4 * GAIN_STEP_DB)).toBeLessThanOrEqual(0.15);
    // The check is on: the same gain without a new CRC is refused.
    const stale = protectedFrames.map((bytes) => {
      const out = applyMp3Gain(bytes, 4);
      bytes.copy(out, 4, 4, 6);
      return out;
    });
    expect((await crcChecked(Buffer.concat(stale))).errors.length).toBeGreaterThan(0);
  });
});

/** `frame` (unprotected MPEG-1 Layer III, main_data_begin 0) as a CRC-protected frame of the same length. */
function protect(frame: Buffer): Buffer {
  const header = parseMp3Header(frame)!;
  const sideInfoBytes = header.channels === 2 ? 32 : 17;
  const mainDataBits = partBits(frame, header.channels);
  const room = (frame.length - 4 - 2 - sideInfoBytes) * 8;
  if (mainDataBits > room) throw new Error(`frame has no 2 spare bytes: ${mainDataBits} bits of main data, room for ${room}`);
  const out = Buffer.alloc(frame.length);
  frame.copy(out, 0, 0, 4);
  out[1] = out[1]! & 0xfe; // protection_bit 0: a CRC follows
  frame.copy(out, 6, 4, frame.length - 2);
  out.writeUInt16BE(layer3Crc(out, parseMp3Header(out)!), 4);
  return out;
}

/** Sum of part2_3_length of an unprotected MPEG-1 frame: the bits of main data it uses. */
function partBits(frame: Buffer, channels: number): number {
  const bit = (offset: number, length: number) => {
    let value = 0;
    for (let index = 0; index < length; index += 1) value = (value << 1) | ((frame[(offset + index) >> 3]! >> (7 - ((offset + index) & 7))) & 1);
    return value;
  };
  if (bit(32, 9) !== 0) throw new Error('main_data_begin is not 0: the frame borrows from the reservoir');
  const lead = 32 + (channels === 2 ? 20 : 18);
  let total = 0;
  for (let block = 0; block < 2 * channels; block += 1) total += bit(lead + block * 59, 12);
  return total;
}
