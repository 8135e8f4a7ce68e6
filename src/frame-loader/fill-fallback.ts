import { Readable } from 'node:stream';
import type { Mp3FrameBatch } from '../audio/index.js';
import { CacheFillError } from '../cache/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';

/**
 * A song's frames from the cache file its transcode is writing (`filling`), and, should the cache let it
 * down midway (CacheFillError: a write refused, a hung disk), from a transcode of its own (`direct()`), which
 * makes the same frames again (the encoder is deterministic and every frame self-contained) and skips
 * those already played. So the cache stays an optimisation: losing it costs the song a second ffmpeg run,
 * never its place. Any other error (the transcode failed: the song's fault) ends the song as before.
 * Destroying the returned stream closes whichever source is open.
 */
export function withFillFallback(filling: Readable, direct: () => Readable, logger: Logger): Readable {
  return Readable.from(framesWithFallback(filling, direct, logger), { objectMode: true, highWaterMark: 1 });
}

async function* framesWithFallback(filling: Readable, direct: () => Readable, logger: Logger): AsyncGenerator<Mp3FrameBatch> {
  let played = 0;
  try {
    for await (const batch of filling as AsyncIterable<Mp3FrameBatch>) {
      played += batch.length;
      yield batch;
    }
    return;
  } catch (error) {
    if (!(error instanceof CacheFillError)) throw error;
    logger.warn({ err: describeError(error), framesPlayed: played }, 'audio cache failed mid-song: the song goes on straight from ffmpeg');
  }
  let skip = played;
  for await (const batch of direct() as AsyncIterable<Mp3FrameBatch>) {
    if (skip >= batch.length) {
      skip -= batch.length;
      continue;
    }
    yield skip > 0 ? batch.slice(skip) : batch;
    skip = 0;
  }
}
