/** How one upstream request ended: answered (any HTTP status), timed out, failed on the network, or was cut. */
export type UpstreamOutcome = 'ok' | 'http-error' | 'timeout' | 'error' | 'too-large' | 'refused';

/** How a cross-provider match ended (see resolver.ts matchElsewhere). */
export type MatchResult = 'matched' | 'none' | 'search-failed' | 'bad-candidate-ref' | 'candidate-unplayable' | 'error';

/**
 * What the relay tells whoever watches it (metrics): each hook is called once per event, where the value is
 * already at hand, and must not throw. Every hook is optional; without an observer nothing is done.
 */
export interface RelayObserver {
  /** A request answered: its route (`songs`, `playlists`, `files`, `healthz`, `-`) and status. */
  request?(route: string, status: number): void;
  /** A request refused by the per-address rate limit. */
  rateLimited?(client: 'authenticated' | 'anonymous'): void;
  /** An upstream request of a provider, with how long it took. */
  upstream?(provider: string, outcome: UpstreamOutcome, seconds: number): void;
  /** A cross-provider match tried, and how it ended. */
  match?(result: MatchResult): void;
}
