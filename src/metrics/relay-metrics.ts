import { Counter, Histogram, type Registry } from 'prom-client';
import { MATCH_RESULTS, RATE_LIMITED_CLIENTS, type MatchResult, type RelayObserver, type UpstreamOutcome } from '../relay/observer.js';

/** Upstream requests: a few ms from a nearby API server up to the 4 s lookup budget. */
const UPSTREAM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];

/**
 * The relay's metrics, fed through its RelayObserver hooks. Every label takes a bounded set of values (the
 * routes, the HTTP statuses the relay sends, the providers, the outcomes); children are made once per value.
 */
export class RelayMetrics implements RelayObserver {
  private readonly requests: Counter<'route' | 'status'>;
  private readonly requestChildren = new Map<string, Counter.Internal>();
  private readonly limited: Counter<'client'>;
  private readonly upstreamSeconds: Histogram<'provider' | 'outcome'>;
  private readonly upstreamChildren = new Map<string, Histogram.Internal<'provider' | 'outcome'>>();
  private readonly matches: Counter<'result'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'relaycast_relay_requests_total',
      help: 'HTTP requests answered by the relay, by route (songs, playlists, files, healthz, - for others) and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    this.limited = new Counter({
      name: 'relaycast_relay_rate_limited_total',
      help: 'Requests refused with 429 by the per-address rate limit, by client class (authenticated, anonymous)',
      labelNames: ['client'],
      registers: [registry],
    });
    this.upstreamSeconds = new Histogram({
      name: 'relaycast_relay_upstream_duration_seconds',
      help: 'Requests to the music services\' APIs, by provider and outcome (ok, http-error, timeout, error, too-large, refused)',
      labelNames: ['provider', 'outcome'],
      buckets: UPSTREAM_BUCKETS,
      registers: [registry],
    });
    this.matches = new Counter({
      name: 'relaycast_relay_match_attempts_total',
      help: 'Cross-provider matches tried for refused songs, by result (matched, none, search-failed, candidate-unplayable, bad-candidate-ref, error)',
      labelNames: ['result'],
      registers: [registry],
    });
    // At 0 from the start: a first 429 or match then shows as an increase, not as a series appearing at 1.
    for (const client of RATE_LIMITED_CLIENTS) this.limited.labels({ client }).inc(0);
    for (const result of MATCH_RESULTS) this.matches.labels({ result }).inc(0);
  }

  request(route: string, status: number): void {
    const key = `${route} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = this.requests.labels({ route, status: String(status) });
      this.requestChildren.set(key, child);
    }
    child.inc();
  }

  rateLimited(client: (typeof RATE_LIMITED_CLIENTS)[number]): void {
    this.limited.inc({ client });
  }

  upstream(provider: string, outcome: UpstreamOutcome, seconds: number): void {
    const key = `${provider} ${outcome}`;
    let child = this.upstreamChildren.get(key);
    if (!child) {
      child = this.upstreamSeconds.labels({ provider, outcome });
      this.upstreamChildren.set(key, child);
    }
    child.observe(seconds);
  }

  match(result: MatchResult): void {
    this.matches.inc({ result });
  }
}
