/** Icecast is asked at most this often, however many visitors and event streams ask for counts. */
export const LISTENER_COUNT_MAX_AGE_MS = 10_000;

export type FetchListeners = () => Promise<Map<string, number> | null>;

/**
 * Listener counts per mount from Icecast's status page, fetched at most every LISTENER_COUNT_MAX_AGE_MS.
 * Callers at the same moment share one request; a failed request (null) is remembered as long as a good one,
 * so an Icecast that is away is not asked on every page view.
 */
export class ListenerCounts {
  readonly #fetch: FetchListeners;
  readonly #now: () => number;
  #fetchedAt = -Infinity;
  #latest: Promise<Map<string, number> | null> | undefined;

  constructor(fetch: FetchListeners, now: () => number) {
    this.#fetch = fetch;
    this.#now = now;
  }

  current(): Promise<Map<string, number> | null> {
    const now = this.#now();
    if (this.#latest === undefined || now - this.#fetchedAt >= LISTENER_COUNT_MAX_AGE_MS) {
      this.#fetchedAt = now;
      this.#latest = this.#fetch().catch(() => null);
    }
    return this.#latest;
  }
}
