import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Mp3Frame, Mp3FrameBatch } from './frame.js';
import { applyMp3Gain } from './mp3-gain.js';

/**
 * `frames` (an object stream of batches: a transcode or a cache entry) with every frame's global_gain moved
 * by `steps()` (see mp3-gain.ts), asked once per batch so a new station target is heard within a batch or
 * two (~1 s). A batch at 0 steps passes through as it is, the same frames, so a song left alone keeps its
 * bytes. Destroying it destroys `frames` (ffmpeg stopped, cache file closed); an error of `frames` reaches
 * it after the frames before it, like the transcoder's own.
 *
 * With `holdUntil`, the first batch waits until that settles or release() is called, and steps() is first
 * asked only then: a song whose loudness is being measured is levelled from its first frame if the
 * measurement is in by the time the song is wanted.
 */
export class GainStream extends Transform {
  private held: { batch: Mp3FrameBatch; callback: TransformCallback } | undefined;
  private released: boolean;

  constructor(
    private readonly steps: () => number,
    holdUntil?: Promise<unknown>,
  ) {
    // One batch: the source's own buffer and the track's lookahead bound the rest.
    super({ objectMode: true, highWaterMark: 1 });
    this.released = holdUntil === undefined;
    holdUntil?.then(
      () => this.release(),
      () => this.release(),
    );
  }

  /** True while the first batch is here and waits for release(). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Lets the frames through now, the held batch at once (it is readable when this returns). */
  release(): void {
    this.released = true;
    const held = this.held;
    this.held = undefined;
    if (held && !this.destroyed) held.callback(null, this.levelled(held.batch));
  }

  override _transform(batch: Mp3FrameBatch, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.released) return callback(null, this.levelled(batch));
    this.held = { batch, callback };
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.held = undefined;
    callback(error);
  }

  private levelled(batch: Mp3FrameBatch): Mp3FrameBatch {
    const now = this.steps();
    if (now === 0) return batch;
    return batch.map((frame): Mp3Frame => ({ bytes: applyMp3Gain(frame.bytes, now), samples: frame.samples }));
  }
}

/** `frames` through a GainStream (see there); destroying the result destroys `frames`. */
export function withGain(frames: Readable, steps: () => number, holdUntil?: Promise<unknown>): GainStream {
  const gain = new GainStream(steps, holdUntil);
  pipeline(frames, gain, () => undefined);
  return gain;
}
