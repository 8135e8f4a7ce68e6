import type { Clock } from '../time/index.js';
import type { Song } from './song.js';

/** Songs whose source stalled are not tried again for this long: a stalled CDN rarely recovers in minutes. */
export const STALLED_SONG_MEMORY_MS = 5 * 60_000;
/** Refs remembered as stalled at most; the oldest is forgotten first. */
export const MAX_STALLED_SONGS = 256;
/** A song put aside for a passing reason (relay or network away) is tried again after this long. */
export const KEPT_ASIDE_RETRY_MS = 30_000;
/** Songs kept aside to be tried again at most; past it, a song that is not ready waits in line instead. */
export const MAX_KEPT_ASIDE = 8;

/**
 * What a station remembers of songs it had to put aside to keep its silence within budget: songs whose
 * source stalled are skipped for a while (the list moves on to songs that play), and songs that could not
 * be prepared for a passing reason are kept to be tried again, so a queued song is not lost to an outage.
 */
export class SetAside {
  private readonly stalledUntil = new Map<string, number>();
  private readonly kept: { song: Song; due: number }[] = [];

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** Remembers that `ref`'s source stalled. */
  stalled(ref: string): void {
    this.stalledUntil.delete(ref);
    this.stalledUntil.set(ref, this.clock.now() + STALLED_SONG_MEMORY_MS);
    while (this.stalledUntil.size > MAX_STALLED_SONGS) this.stalledUntil.delete(this.stalledUntil.keys().next().value as string);
  }

  /** True when `ref` stalled recently: skip it without trying. */
  isStalled(ref: string): boolean {
    const until = this.stalledUntil.get(ref);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.stalledUntil.delete(ref);
    return false;
  }

  /** Keeps `song` to be tried again later; false when the bound is reached (the caller keeps it in line). */
  keep(song: Song): boolean {
    if (this.kept.length >= MAX_KEPT_ASIDE) return false;
    this.kept.push({ song, due: this.clock.now() + KEPT_ASIDE_RETRY_MS });
    return true;
  }

  /** A kept song whose retry time has come, oldest first. */
  takeDue(): Song | undefined {
    const first = this.kept[0];
    if (!first || first.due > this.clock.now()) return undefined;
    this.kept.shift();
    return first.song;
  }
}
