/** How one upstream request ended: answered (any HTTP status), timed out, failed on the network, or was cut. */
export type UpstreamOutcome = 'ok' | 'http-error' | 'timeout' | 'error' | 'too-large' | 'refused';

/** How a cross-provider match ended (see resolver.ts matchElsewhere). */
export const MATCH_RESULTS = ['matched', 'none', 'search-failed', 'bad-candidate-ref', 'candidate-unplayable', 'error'] as const;
export type MatchResult = (typeof MATCH_RESULTS)[number];

/** Who a rate-limited request came from. */
export const RATE_LIMITED_CLIENTS = ['authenticated', 'anonymous'] as const;

/**
 * What the relay tells whoever watches it (metrics): each hook is called once per event, where the value is
 * already at hand, and must not throw. Every hook is optional; without an observer nothing is done.
 */
export interface RelayObserver {
  /** A request answered: its route (`songs`, `playlists`, `files`, `healthz`, `-`) and status. */
  request?(route: string, status: number): void;
  /** A request refused by the per-address rate limit. */
  rateLimited?(client: (typeof RATE_LIMITED_CLIENTS)[number]): void;
  /** An upstream request of a provider, with how long it took. */
  upstream?(provider: string, outcome: UpstreamOutcome, seconds: number): void;
  /** A cross-provider match tried, and how it ended. */
  match?(result: MatchResult): void;
}
