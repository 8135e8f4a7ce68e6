import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { globalGains, Mp3FrameSplitter, withGain, type Mp3Frame, type Mp3FrameBatch } from '../../../src/audio/index.js';
import { readFrames } from '../../support/frames.js';

const run = promisify(execFile);

/** Two seconds of a tone as libmp3lame frames at 128 kb/s (no Info frame, no tag). */
async function encodedTone(): Promise<Mp3Frame[]> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3', 'pipe:1'];
  const { stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: 1 << 20 });
  return readFrames(Readable.from([stdout]).pipe(new Mp3FrameSplitter()));
}

describe('withGain holding its first batch', () => {
  it('passes nothing until the hold settles, then levels every frame by the steps asked for then', async () => {
    const frames = await encodedTone();
    let settle: () => void = () => {};
    const measured = new Promise<void>((resolve) => (settle = resolve));
    let steps = 0;
    const stream = withGain(Readable.from(batches(frames), { objectMode: true }), () => steps, measured);
    await waitUntil(() => stream.holding);
    expect(stream.read()).toBeNull();
    steps = 2; // known by the time the hold ends: every frame gets it, the first included
    settle();
    const played = await readFrames(stream);
    expect(played.map((frame) => globalGains(frame.bytes))).toEqual(frames.map((frame) => globalGains(frame.bytes)!.map((gain) => gain + 2)));
  });

  it('lets the held batch through at once on release(), readable before release() returns', async () => {
    const frames = await encodedTone();
    const stream = withGain(Readable.from(batches(frames), { objectMode: true }), () => 0, new Promise(() => {}));
    await waitUntil(() => stream.holding);
    stream.release();
    const first = stream.read() as Mp3FrameBatch | null;
    expect(first?.[0]?.bytes.equals(frames[0]!.bytes)).toBe(true);
    stream.destroy();
  });
});

function* batches(frames: readonly Mp3Frame[]): Generator<Mp3FrameBatch> {
  for (let index = 0; index < frames.length; index += 32) yield frames.slice(index, index + 32);
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
