import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/index.js';

export interface MetricsServerOptions {
  registry: Registry;
  /** METRICS_HOST for the worker, RELAY_HOST for the relay: loopback unless the operator opens it. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: Logger;
}

export interface MetricsServer {
  /** `http://<host>:<port>` once listening. */
  readonly url: string;
  close(): Promise<void>;
}

/** A scrape gets this long to send its request; Prometheus sends one small GET. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * `GET /metrics` in Prometheus's text format, on a port of its own (so the relay's API and its rate limit,
 * or a station's stream, never share a listener with scrapes); every other path is a 404.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, logger } = options;
  const server = createServer((req, res) => void answer(req, res, registry, logger));
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ event: 'metrics.listening', url: `${url}/metrics` }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold close() open until it times out.
        server.closeAllConnections();
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, registry: Registry, logger: Logger): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'not found: the metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
  }
  try {
    const text = await registry.metrics();
    send(res, 200, registry.contentType, req.method === 'HEAD' ? '' : text);
  } catch (error) {
    logger.error({ event: 'metrics.failed', err: error }, 'could not collect the metrics');
    send(res, 500, 'text/plain; charset=utf-8', 'could not collect the metrics; see the log\n');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
