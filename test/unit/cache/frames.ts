import { readdir } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_STREAM_FORMAT, type Mp3Frame, type StreamFormat } from '../../../src/audio/index.js';
import type { AudioCache } from '../../../src/cache/index.js';
import { inBatches } from '../../support/frames.js';

/** Stand-ins for a song's MP3 frames: ~417 bytes like 128 kb/s at 44.1 kHz, sizes alternating like padding does. */
export function songFrames(label: string, count: number, size = 417): Mp3Frame[] {
  return Array.from({ length: count }, (_, index) => ({ bytes: Buffer.alloc(size + (index % 2), `${label}#${index};`), samples: 1152 }));
}

/** Caches `frames` as one song, handed to the writer in batches as the transcoder hands them out. */
export async function writeEntry(cache: AudioCache, ref: string, frames: Mp3Frame[], format: StreamFormat = DEFAULT_STREAM_FORMAT): Promise<void> {
  await pipeline(Readable.from(inBatches(frames)), cache.writer(ref, format));
}

/** Frames compared by content, so a view into a bigger buffer equals a fresh copy. */
export function asText(frames: Mp3Frame[]): string[] {
  return frames.map((frame) => `${frame.samples}:${frame.bytes.toString('latin1')}`);
}

export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** A wall clock the test moves by hand; entries get whole-second mtimes so the file system keeps them exactly. */
export function manualClock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms?: number) => number } {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms = 1_000) => (current += ms),
  };
}

/** Resolves when `stream` has closed, whether it ended or failed: a writer's temp file is gone by then. */
export function closed(stream: Readable | Writable): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => void stream.once('close', () => resolve()));
}

/**
 * Pipes `writes` into `writer`, each item one write() (a batch of frames, or whatever a test wants refused),
 * and gives back the failure (or undefined) once the writer has closed.
 */
export async function writeThrough(writes: Iterable<unknown> | AsyncIterable<unknown>, writer: Writable): Promise<unknown> {
  const failure = await pipeline(Readable.from(writes, { objectMode: true }), writer).then(
    () => undefined,
    (error: unknown) => error,
  );
  await closed(writer);
  return failure;
}
