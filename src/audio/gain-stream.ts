import { pipeline, Transform, type Readable } from 'node:stream';
import type { Mp3Frame, Mp3FrameBatch } from './frame.js';
import { applyMp3Gain } from './mp3-gain.js';

/**
 * `frames` (an object stream of batches: a transcode or a cache entry) with every frame's global_gain moved
 * by `steps()` (see mp3-gain.ts), asked once per batch so a new station target is heard within a batch or
 * two (~1 s). A batch at 0 steps passes through as it is, the same frames, so a song left alone keeps its
 * bytes. Destroying the returned stream destroys `frames` (ffmpeg stopped, cache file closed); an error of
 * `frames` reaches the returned stream after the frames before it, like the transcoder's own.
 */
export function withGain(frames: Readable, steps: () => number): Readable {
  const gain = new Transform({
    objectMode: true,
    // One batch: the source's own buffer and the track's lookahead bound the rest.
    highWaterMark: 1,
    transform(batch: Mp3FrameBatch, _encoding, callback) {
      const now = steps();
      if (now === 0) return callback(null, batch);
      callback(null, batch.map((frame): Mp3Frame => ({ bytes: applyMp3Gain(frame.bytes, now), samples: frame.samples })));
    },
  });
  pipeline(frames, gain, () => undefined);
  return gain;
}
