import { availableParallelism } from 'node:os';

/**
 * Transcodes into the cache at once, per process: each runs ffmpeg at full speed, so more than the cores
 * leave would only slow the pacer and each other, and every one is another ffmpeg in memory (~50 MB RSS).
 * One core is left to the stations' pacing and Icecast: 1 on a 2-core machine.
 */
export const FILL_CONCURRENCY = Math.max(1, availableParallelism() - 1);

/**
 * A first-come queue of fills: start() runs a fill when a slot is free, and the slot is free again when
 * the promise the fill returned settles. The queue's length is bounded by the songs being prepared (a few
 * per station); each fill is bounded by ffmpeg's own deadlines, so the queue always moves.
 */
export class FillSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number = FILL_CONCURRENCY) {}

  /** Runs `fill` now or once a slot frees; resolves when it has started. */
  start(fill: () => Promise<unknown>): Promise<void> {
    return new Promise((started) => {
      const run = () => {
        this.running += 1;
        started();
        void fill()
          .catch(() => undefined)
          .finally(() => {
            this.running -= 1;
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.concurrency) run();
      else this.waiting.push(run);
    });
  }
}
