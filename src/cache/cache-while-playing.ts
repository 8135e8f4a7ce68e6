import { pipeline, Transform, type Readable, type Writable } from 'node:stream';
import type { Mp3FrameBatch } from '../audio/index.js';
import { WRITER_DRAIN_TIMEOUT_MS } from './defaults.js';

/**
 * Passes `frames` (batches) through to the player while writing each batch to `writer` (an AudioCache writer), and
 * ends the writer (commits the entry) only when `frames` ended normally. A song that fails, is skipped
 * (the returned stream destroyed) or aborted destroys the writer instead, which leaves no entry.
 *
 * Caching never stops the music: when the writer fails (it logs why), frames keep flowing uncached.
 * The writer's backpressure is respected for at most WRITER_DRAIN_TIMEOUT_MS: a disk slower than that
 * (overloaded, failing) loses the writer, not the player's time.
 */
export function cacheWhilePlaying(frames: Readable, writer: Writable): Readable {
  let caching = true;
  let sourceEnded = false;
  writer.on('error', () => {
    caching = false;
  });
  const tee = new Transform({
    objectMode: true,
    // A batch on each side: the player's lookahead and the source's own buffer bound the rest.
    highWaterMark: 1,
    transform(batch: Mp3FrameBatch, _encoding, callback) {
      if (!caching || writer.destroyed || writer.write(batch)) return callback(null, batch);
      const resume = () => {
        clearTimeout(timer);
        writer.off('drain', resume);
        writer.off('close', resume);
        callback(null, batch);
      };
      const timer = setTimeout(() => {
        caching = false;
        writer.destroy(); // leaves no entry; a slow disk is not an error worth a line per song
        resume();
      }, WRITER_DRAIN_TIMEOUT_MS);
      // 'close' too: a writer that fails while we wait never drains (and the timer bounds its clean-up).
      writer.on('drain', resume);
      writer.on('close', resume);
    },
    flush(callback) {
      sourceEnded = true;
      if (caching && !writer.destroyed) writer.end();
      callback();
    },
  });
  pipeline(frames, tee, (error) => {
    // After flush the writer holds the whole song; a player that stops reading the last frames does not undo that.
    if (error && !sourceEnded) writer.destroy();
  });
  return tee;
}
