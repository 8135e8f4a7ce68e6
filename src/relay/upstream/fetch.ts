import got from 'got';
import type { Logger } from '../../log/index.js';
import { redactUrl } from '../../log/index.js';
import type { RelayObserver, UpstreamOutcome } from '../observer.js';
import type { Parsed } from '../providers/provider.js';
import { isRetryableStatus, upstreamError, type UpstreamResponse } from './response.js';
import type { WallClock } from '../../time/index.js';
import { ok } from '../../result.js';

export interface UpstreamRequest {
  url: URL;
  headers?: Record<string, string>;
  /** Epoch ms by which the whole answer must be in; the request is aborted then. */
  deadlineAt: number;
}

/** One GET to an upstream. Never throws: timeouts, resets and oversized bodies come back as upstream-errors. */
export type UpstreamFetch = (request: UpstreamRequest) => Promise<Parsed<UpstreamResponse>>;

export interface UpstreamFetchOptions {
  /** Origins (`https://u.y.qq.com`) this fetch may reach: the provider's configured base URLs, nothing else. */
  allowedOrigins: readonly string[];
  /** Bodies past this many bytes (after decompression) are aborted. */
  maxBodyBytes: number;
  now: WallClock;
  logger: Logger;
  /** The provider this fetch serves, named in what the observer is told. */
  provider?: string;
  observer?: RelayObserver | undefined;
}

export function createUpstreamFetch(options: UpstreamFetchOptions): UpstreamFetch {
  const allowed = new Set(options.allowedOrigins);
  const { logger, now } = options;
  const provider = options.provider ?? 'unknown';
  const observe = (outcome: UpstreamOutcome, started: number) => options.observer?.upstream?.(provider, outcome, (now() - started) / 1000);

  return async ({ url, headers, deadlineAt }) => {
    const target = redactUrl(url.href);
    if (!allowed.has(url.origin)) {
      // Providers build URLs from configured bases only; reaching this is a bug, not a client's doing.
      logger.error({ event: 'relay.upstream.refused', url: target }, 'refused to fetch a host that is not a configured upstream');
      observe('refused', now());
      return upstreamError(`refused to fetch ${url.origin}: not a configured upstream`, false);
    }
    const started = now();
    const timeoutMs = deadlineAt - started;
    if (timeoutMs <= 0) return upstreamError('no time left for the upstream request', true);

    const stream = got.stream(url, {
      headers: { 'user-agent': 'relaycast-relay', ...headers },
      timeout: { request: timeoutMs },
      // A redirect could lead anywhere; the upstreams do not use them for these endpoints.
      followRedirect: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
    });
    let status = 0;
    let contentType = '';
    let location: string | undefined;
    stream.once('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      status = response.statusCode;
      const type = response.headers['content-type'];
      contentType = Array.isArray(type) ? (type[0] ?? '') : (type ?? '');
      const moved = response.headers.location;
      location = Array.isArray(moved) ? moved[0] : moved;
    });

    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          stream.destroy();
          logger.warn({ event: 'relay.upstream.too-large', url: target, status, limit: options.maxBodyBytes }, 'upstream body too large');
          observe('too-large', started);
          // No API answer of these endpoints comes near the limit: like an HTML page, it says the base URL
          // points elsewhere, so the same rule (the status) decides whether asking again may help.
          return upstreamError(
            `upstream answered HTTP ${status} with a body larger than ${options.maxBodyBytes} bytes: check the base URL`,
            isRetryableStatus(status),
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const timedOut = code === 'ETIMEDOUT';
      logger.warn({ event: 'relay.upstream.failed', url: target, code, ms: now() - started }, 'upstream request failed');
      observe(timedOut ? 'timeout' : 'error', started);
      const detail = timedOut ? `upstream did not answer within ${timeoutMs} ms` : `upstream request failed (${String(code ?? 'network error')})`;
      return upstreamError(detail, true);
    }
    const fetchedAt = now();
    logger.debug({ event: 'relay.upstream.answered', url: target, status, bytes: size, ms: fetchedAt - started }, 'upstream answered');
    observe(status >= 400 ? 'http-error' : 'ok', started);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    return ok({ status, contentType, bodyText, fetchedAt, ...(location ? { location } : {}) });
  };
}
