import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { startMetricsServer, type MetricsServer } from '../../../src/metrics/index.js';
import { parsePrometheusText, sampleOf } from '../../support/prometheus-text.js';

describe('startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(registry: Registry): Promise<MetricsServer> {
    server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0, logger: silentLogger() });
    return server;
  }

  it('serves the registry at GET /metrics in the exposition format', async () => {
    const registry = new Registry();
    new Counter({ name: 'relaycast_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const { url } = await serve(registry);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(sampleOf(parsePrometheusText(await response.text()), 'relaycast_test_total').value).toBe(3);
  });

  it('answers 404 on any other path and 405 to other methods', async () => {
    const { url } = await serve(new Registry());
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics/x`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 when a metric cannot be collected, and goes on serving', async () => {
    const registry = new Registry();
    let broken = true;
    new Counter({ name: 'relaycast_flaky_total', help: 'fails once', registers: [registry], collect() { if (broken) throw new Error('boom'); } });
    const { url } = await serve(registry);
    expect((await fetch(`${url}/metrics`)).status).toBe(500);
    broken = false;
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('frees its port on close, keep-alive connections included', async () => {
    const { url } = await serve(new Registry());
    await fetch(`${url}/metrics`, { headers: { connection: 'keep-alive' } }).then((response) => response.text());
    await server!.close();
    server = undefined;
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });
});
