import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../../../src/metrics/index.js';
import { parsePrometheusText, sampleOf } from '../../support/prometheus-text.js';

describe('RelayMetrics', () => {
  it('counts requests by route and status, rate-limited requests, upstream latency and match results', async () => {
    const registry = new Registry();
    const metrics = new RelayMetrics(registry);
    metrics.request('songs', 200);
    metrics.request('songs', 200);
    metrics.request('songs', 422);
    metrics.request('-', 429);
    metrics.rateLimited('anonymous');
    metrics.upstream('netease', 'ok', 0.3);
    metrics.upstream('netease', 'timeout', 4);
    metrics.match('matched');
    metrics.match('none');
    const families = parsePrometheusText(await registry.metrics());
    expect(sampleOf(families, 'relaycast_relay_requests_total', { route: 'songs', status: '200' }).value).toBe(2);
    expect(sampleOf(families, 'relaycast_relay_requests_total', { route: 'songs', status: '422' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_rate_limited_total', { client: 'anonymous' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_upstream_duration_seconds_count', { provider: 'netease', outcome: 'timeout' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_upstream_duration_seconds_bucket', { provider: 'netease', outcome: 'ok', le: '0.5' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_match_attempts_total', { result: 'matched' }).value).toBe(1);
  });
});
