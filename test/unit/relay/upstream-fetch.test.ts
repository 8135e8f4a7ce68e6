import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { parseNeteaseSongUrl } from '../../../src/relay/providers/netease/song-url.js';
import { createUpstreamFetch } from '../../../src/relay/upstream/fetch.js';
import { readRecorded, startRecordedUpstream, type RecordedUpstream } from '../../support/upstream.js';

describe('upstream fetch', () => {
  let upstream: RecordedUpstream;
  let playableBody: string;
  const fetchWith = (maxBodyBytes = 2 * 1024 * 1024) =>
    createUpstreamFetch({ allowedOrigins: [upstream.url], maxBodyBytes, now: Date.now, logger: silentLogger() });
  const get = (path: string, timeoutMs = 2000, maxBodyBytes?: number) =>
    fetchWith(maxBodyBytes)({ url: new URL(path, upstream.url), deadlineAt: Date.now() + timeoutMs });

  beforeAll(async () => {
    upstream = await startRecordedUpstream();
    playableBody = await readRecorded('netease-song-url-playable.json');
  });
  afterAll(() => upstream.close());

  it('gives up on a slow upstream at the deadline with a retryable upstream-error', async () => {
    upstream.setRoutes(() => ({ body: playableBody, delayMs: 3000 }));
    const started = Date.now();
    const result = await get('/song/url?id=1', 300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
    expect(result.ok || result.failure.detail).toMatch(/did not answer within/);
  });

  it('gives up on an upstream that never answers', async () => {
    upstream.setRoutes(() => ({ hang: true }));
    expect(await get('/song/url?id=1', 300)).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });

  it('does not start a request when the lookup has no time left', async () => {
    const seen = upstream.requests.length;
    expect(await get('/song/url?id=1', 0)).toMatchObject({ ok: false, failure: { retryable: true } });
    expect(upstream.requests.length).toBe(seen);
  });

  it('reports a connection reset in the middle of the body as a retryable upstream-error', async () => {
    upstream.setRoutes(() => ({ body: playableBody, resetAfterBytes: 100 }));
    expect(await get('/song/url?id=1')).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });

  it('passes a body that ended early to the parser, which reports a retryable upstream-error', async () => {
    // Complete as far as HTTP is concerned (the length matches), but the JSON is cut.
    upstream.setRoutes(() => ({ body: playableBody.slice(0, 120) }));
    const response = await get('/song/url?id=1');
    expect(response.ok).toBe(true);
    if (!response.ok) return;
    expect(parseNeteaseSongUrl(response.value, { songId: '33894312', fallbackTtlSec: 600 })).toMatchObject({
      ok: false,
      failure: {
        reason: 'upstream-error',
        retryable: true,
      },
    });
  });

  it('aborts a body larger than the limit', async () => {
    upstream.setRoutes(() => ({ body: 'x'.repeat(64 * 1024) }));
    expect(await get('/big', 2000, 16 * 1024)).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false } });
  });

  it('does not follow redirects', async () => {
    upstream.setRoutes((request) => (request.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { body: playableBody }));
    const response = await get('/moved');
    expect(response).toMatchObject({ ok: true, value: { status: 302 } });
    expect(upstream.requests.at(-1)?.path).toBe('/moved');
  });

  it('refuses, without a request, a URL outside the allowed origins', async () => {
    const seen = upstream.requests.length;
    const fetch = fetchWith();
    const result = await fetch({ url: new URL('http://127.0.0.2:1/song/url'), deadlineAt: Date.now() + 1000 });
    expect(result).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false } });
    expect(upstream.requests.length).toBe(seen);
  });

  it('reports a refused connection as a retryable upstream-error', async () => {
    const closed = await startRecordedUpstream();
    await closed.close();
    const fetch = createUpstreamFetch({ allowedOrigins: [closed.url], maxBodyBytes: 1024, now: Date.now, logger: silentLogger() });
    const result = await fetch({ url: new URL('/x', closed.url), deadlineAt: Date.now() + 1000 });
    expect(result).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
  });
});
