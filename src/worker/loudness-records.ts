import type { SongLoudness } from '../audio/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { StoreCaches } from '../store/index.js';

/**
 * Records each song's measured loudness in Redis, where `relaycast song` and `relaycast cache stats` read it:
 * the CLI runs on other hosts and never sees a worker's disk cache, where the figures live. Best-effort: the
 * song plays whatever Redis does, and a failure is one warning per outage rather than one per song (the next
 * play of a song records it again).
 */
export function loudnessRecorder(store: Pick<StoreCaches, 'putSongLoudness'>, logger: Logger): (ref: string, loudness: SongLoudness) => void {
  let failing = false;
  return (ref, loudness) => {
    store.putSongLoudness(ref, loudness).then(
      () => {
        if (failing) logger.info('song loudness recorded in Redis again');
        failing = false;
      },
      (error: unknown) => {
        if (failing) return;
        failing = true;
        logger.warn({ song: ref, err: describeError(error) }, 'could not record song loudness in Redis: `relaycast song` shows songs as not measured until Redis answers again');
      },
    );
  };
}
