import type { Readable } from 'node:stream';
import { MAX_BATCH_FRAMES, type Mp3Frame, type Mp3FrameBatch } from '../../src/audio/index.js';

/**
 * The frames of an object stream of batches (the splitter, the transcoder, a cache reader), one at a time.
 * Leaving the loop early destroys the stream, as `for await` over the stream itself does: the generator's
 * return reaches the stream's own iterator. Each object is checked against the batch contract on the way,
 * so every test that reads frames also proves the producer keeps it.
 */
export async function* eachFrame(stream: Readable): AsyncGenerator<Mp3Frame, void, undefined> {
  for await (const batch of stream) yield* checkedBatch(batch);
}

/** Every frame of the stream, in order, once it has ended; rejects as the stream fails. */
export async function readFrames(stream: Readable): Promise<Mp3Frame[]> {
  const frames: Mp3Frame[] = [];
  for await (const frame of eachFrame(stream)) frames.push(frame);
  return frames;
}

/** `frames` cut into batches of `size`, the last one shorter: what a producer of the song would hand out. */
export function inBatches(frames: readonly Mp3Frame[], size = MAX_BATCH_FRAMES): Mp3Frame[][] {
  const batches: Mp3Frame[][] = [];
  for (let start = 0; start < frames.length; start += size) batches.push(frames.slice(start, start + size));
  return batches;
}

function checkedBatch(value: unknown): Mp3FrameBatch {
  if (!Array.isArray(value)) throw new Error(`expected a batch of frames, the stream gave ${typeof value}`);
  if (value.length === 0 || value.length > MAX_BATCH_FRAMES) {
    throw new Error(`expected a batch of 1..${MAX_BATCH_FRAMES} frames, the stream gave ${value.length}`);
  }
  return value as Mp3FrameBatch;
}
