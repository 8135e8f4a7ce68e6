import type { Clock } from '../time/index.js';

/**
 * Longest continuous silence a station may send while a song it could play is on its list. Past it, the
 * preparation or the track that keeps it silent is put aside and the next song played instead.
 */
export const SILENCE_BUDGET_MS = 10_000;

/**
 * Share of the budget after which a silent station prepares the next song beside the one that keeps it
 * waiting, so that when the budget runs out (or sooner, when the other song is ready first) something is
 * ready to play: a song is prepared in well under the remaining 60 % when its sources are healthy.
 */
const HEDGE_AFTER_SHARE = 0.4;

export type SilenceStage = 'music' | 'waiting' | 'hedging' | 'over-budget';

/**
 * Measures how long a station has been sending silence while it wanted a song (one is loading, or the
 * current track has no frame ready). Silence with nothing to play (an empty list) is not counted: there
 * is nothing better to send.
 */
export class SilenceWatch {
  private silentSince: number | undefined;
  readonly hedgeAfterMs: number;

  constructor(
    readonly budgetMs: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    if (!Number.isFinite(budgetMs) || budgetMs < 1_000) throw new RangeError(`silence budget must be at least 1000 ms, got ${String(budgetMs)}`);
    this.hedgeAfterMs = Math.round(budgetMs * HEDGE_AFTER_SHARE);
  }

  /** A frame of music went out. */
  heard(): void {
    this.silentSince = undefined;
  }

  /** A frame of silence went out; `wanted` says whether a song was on its way. */
  silent(wanted: boolean): void {
    if (!wanted) this.silentSince = undefined;
    else this.silentSince ??= this.clock.now();
  }

  /** Milliseconds of silence so far while a song was wanted; 0 while music plays or nothing is wanted. */
  get silentForMs(): number {
    return this.silentSince === undefined ? 0 : this.clock.now() - this.silentSince;
  }

  get stage(): SilenceStage {
    const silentFor = this.silentForMs;
    if (this.silentSince === undefined) return 'music';
    if (silentFor >= this.budgetMs) return 'over-budget';
    return silentFor >= this.hedgeAfterMs ? 'hedging' : 'waiting';
  }

  /** Starts the count again: the station just did what the budget asked (put a song aside). */
  restart(): void {
    if (this.silentSince !== undefined) this.silentSince = this.clock.now();
  }
}
