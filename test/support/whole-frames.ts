import { Readable } from 'node:stream';
import { Mp3FrameSplitter } from '../../src/audio/index.js';
import { readFrames } from './frames.js';

/**
 * The listener's bytes from its first whole MP3 frame to its last whole one. Icecast starts a new
 * listener's burst at one of its own buffer boundaries, inside a frame whatever the source writes
 * (reference, measured on 2.4.4), and a test listener hangs up mid-frame; a player resyncs on the next
 * frame, and so does this before the audio is judged. The last frame is dropped because the splitter
 * hands out a cut-short final frame on flush.
 */
export async function wholeFrames(bytes: Buffer): Promise<Buffer> {
  const frames = await readFrames(Readable.from([bytes]).pipe(new Mp3FrameSplitter()));
  return Buffer.concat(frames.slice(0, -1).map((frame) => frame.bytes));
}
