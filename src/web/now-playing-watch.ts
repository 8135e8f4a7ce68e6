import type { Logger } from '../log/index.js';
import type { StationView } from './station-view.js';
import { viewKey } from './station-view.js';

/** How often the watched stations are read: a song change reaches the pages within this (plus a read). */
export const WATCH_INTERVAL_MS = 1_000;
/** After a store event about a watched station (a skip, a queue edit) the stations are read this soon. */
export const WATCH_EVENT_DELAY_MS = 250;

export interface Watcher {
  /** A view that differs from the last one this watcher got (elapsed time aside). */
  onView(view: StationView): void;
  /** The station was removed. */
  onGone(): void;
}

export interface WatchOptions {
  /** The station's view now, or null when the station no longer exists. */
  readonly read: (station: string) => Promise<StationView | null>;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

interface Watched {
  readonly watchers: Map<Watcher, string>;
}

/**
 * Follows the now-playing of the stations somebody watches, for the whole process: one round of reads
 * every WATCH_INTERVAL_MS, whatever the number of event streams (the worker's progress publishes no event:
 * see src/store/events.ts). Rounds never overlap; a station nobody watches is not read.
 */
export class NowPlayingWatch {
  readonly #options: WatchOptions;
  readonly #stations = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #timerDueAt = Infinity;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(options: WatchOptions) {
    this.#options = options;
  }

  /** Starts sending `watcher` the station's changes; `sent` is the view it already has. Returns the unwatch. */
  watch(station: string, sent: StationView, watcher: Watcher): () => void {
    let watched = this.#stations.get(station);
    if (!watched) {
      watched = { watchers: new Map() };
      this.#stations.set(station, watched);
    }
    watched.watchers.set(watcher, viewKey(sent));
    this.#schedule(this.#options.intervalMs ?? WATCH_INTERVAL_MS);
    return () => {
      const current = this.#stations.get(station);
      current?.watchers.delete(watcher);
      if (current && current.watchers.size === 0) this.#stations.delete(station);
    };
  }

  /** Something changed on the station (a store event): read it soon rather than at the next round. */
  poke(station: string | undefined): void {
    if (station === undefined ? this.#stations.size > 0 : this.#stations.has(station)) this.#schedule(WATCH_EVENT_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#stations.clear();
    await this.#round;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#round) return;
    const dueAt = performance.now() + delayMs;
    if (this.#timer && this.#timerDueAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#timerDueAt = dueAt;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDueAt = Infinity;
      this.#round = this.#readAll().finally(() => {
        this.#round = undefined;
        if (this.#stations.size > 0) this.#schedule(this.#options.intervalMs ?? WATCH_INTERVAL_MS);
      });
    }, delayMs);
  }

  async #readAll(): Promise<void> {
    for (const [station, watched] of [...this.#stations]) {
      if (this.#stopped) return;
      let view: StationView | null;
      try {
        view = await this.#options.read(station);
      } catch (error) {
        // Redis away: the streams stay open and the next round tries again.
        this.#options.logger.warn({ event: 'web.watch-failed', station, err: error }, 'cannot read the station');
        continue;
      }
      if (view === null) {
        for (const watcher of watched.watchers.keys()) watcher.onGone();
        this.#stations.delete(station);
        continue;
      }
      const key = viewKey(view);
      for (const [watcher, sentKey] of watched.watchers) {
        if (sentKey === key) continue;
        watched.watchers.set(watcher, key);
        watcher.onView(view);
      }
    }
  }
}
