import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { parseNeteaseSongUrl } from '../../../src/relay/providers/netease/song-url.js';
import { parseNeteaseSongs } from '../../../src/relay/providers/netease/songs.js';
import type { AudioSource, Parsed, SongInfo } from '../../../src/relay/providers/provider.js';
import { parseQqVkey } from '../../../src/relay/providers/qq/vkey.js';
import { createUpstreamFetch } from '../../../src/relay/upstream/fetch.js';
import type { UpstreamResponse } from '../../../src/relay/upstream/response.js';
import {
  loadRepoRecordedCases,
  readRepoRecorded,
  startTransportUpstream,
  type RepoRecordedCase,
  type TransportUpstream,
} from '../../support/recorded-upstream.js';
import { readRecorded } from '../../support/upstream.js';

/**
 * The repo's recorded NetEase answers (test/fixtures/recorded-upstream/cases-netease.json) through the
 * NetEase parsers: read directly, and fetched from a loopback upstream that adds the transport quirks
 * (gzip, redirect, delay, reset, size limit) a real relay meets.
 */

const FETCHED_AT = Date.UTC(2024, 4, 1, 12, 0, 0);
const FALLBACK_TTL_SEC = 600;
const DEFAULT_DEADLINE_MS = 4000;
const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

const cases = (await loadRepoRecordedCases()).filter((recorded) => recorded.provider === 'netease');

function parse(recorded: RepoRecordedCase, response: UpstreamResponse): Parsed<AudioSource | SongInfo[]> {
  if (recorded.kind === 'url') {
    return parseNeteaseSongUrl(response, { songId: recorded.songId ?? '', fallbackTtlSec: FALLBACK_TTL_SEC });
  }
  return parseNeteaseSongs(response);
}

function check(recorded: RepoRecordedCase, result: Parsed<AudioSource | SongInfo[]>, fetchedAt: number): void {
  const { expect: expected } = recorded;
  switch (expected.outcome) {
    case 'playable': {
      expect(result.ok ? undefined : result.failure).toBeUndefined();
      const audio = (result as { value: AudioSource }).value;
      expect(audio.url).toBe(expected.url);
      const expirySec = typeof expected.expiresInSec === 'number' ? expected.expiresInSec : FALLBACK_TTL_SEC;
      expect(audio.expiresAt).toBe(fetchedAt + expirySec * 1000);
      expect(audio).toMatchObject({ format: expected.format, bitrate: expected.bitrate, size: expected.size });
      return;
    }
    case 'unplayable':
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(expected.reason).toContain(result.failure.reason);
        expect(result.failure.retryable).toBe(false);
      }
      return;
    case 'upstream-error':
      expect(result).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: expected.retryable } });
      if (typeof expected.detail === 'string' && !result.ok) expect(result.failure.detail).toContain(expected.detail);
      return;
    case undefined: {
      // Metadata: every song, in order, with exactly these fields.
      expect(result.ok ? undefined : result.failure).toBeUndefined();
      const songs = (result as { value: SongInfo[] }).value;
      expect(songs).toHaveLength(expected.count as number);
      (expected.tracks as Partial<SongInfo>[]).forEach((track, index) => {
        expect(songs[index]).toMatchObject(track);
      });
      return;
    }
    default:
      throw new Error(`${recorded.name}: unknown expected outcome ${String(expected.outcome)}`);
  }
}

describe('repo recorded NetEase answers', () => {
  let upstream: TransportUpstream;
  beforeAll(async () => {
    upstream = await startTransportUpstream();
  });
  afterAll(() => upstream.close());

  it('number at least 20 and each names its body file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const recorded of cases) expect(recorded.file).toMatch(/^netease-/);
  });

  describe.each(cases.map((recorded) => [recorded.name, recorded] as const))('%s', (_name, recorded) => {
    // A transport case (gzip, a redirect, a slow or cut body) is about the fetch: it has no direct parse.
    if (recorded.transport === undefined) {
      it('gives the expected result, parsed directly', async () => {
        const bodyText = (await readRepoRecorded(recorded.file)).toString('utf8');
        const response = { status: recorded.httpStatus, contentType: recorded.contentType, bodyText, fetchedAt: FETCHED_AT };
        check(recorded, parse(recorded, response), FETCHED_AT);
      });
    }

    it('gives the expected result, fetched from a loopback upstream', async () => {
      upstream.serve(recorded, await readRepoRecorded(recorded.file));
      const transport = recorded.transport ?? {};
      const fetch = createUpstreamFetch({
        allowedOrigins: [upstream.url],
        maxBodyBytes: transport.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        now: Date.now,
        logger: silentLogger(),
      });
      const response = await fetch({
        url: new URL(recorded.endpoint.replace(/^GET /, ''), upstream.url),
        deadlineAt: Date.now() + (transport.deadlineMs ?? DEFAULT_DEADLINE_MS),
      });
      if (!response.ok) {
        check(recorded, response, 0);
        return;
      }
      check(recorded, parse(recorded, response.value), response.value.fetchedAt);
    });
  });
});

describe('one classification for unreadable answers', () => {
  let upstream: TransportUpstream;
  beforeAll(async () => {
    upstream = await startTransportUpstream();
  });
  afterAll(() => upstream.close());

  const fetchAnswer = async (body: Buffer, contentType: string, maxBodyBytes: number) => {
    upstream.serve({ name: 'adhoc', file: '', provider: 'netease', relay: '', endpoint: '', httpStatus: 200, contentType, kind: 'url', expect: {} }, body);
    const fetch = createUpstreamFetch({ allowedOrigins: [upstream.url], maxBodyBytes, now: Date.now, logger: silentLogger() });
    const response = await fetch({ url: new URL('/song/url?id=562598081', upstream.url), deadlineAt: Date.now() + DEFAULT_DEADLINE_MS });
    return response.ok ? parseNeteaseSongUrl(response.value, { songId: '562598081', fallbackTtlSec: FALLBACK_TTL_SEC }) : response;
  };

  it('an HTML page on HTTP 200 (base URL pointing at a web site) and an oversized body are both non-retryable upstream-errors', async () => {
    const html = Buffer.from(await readRecorded('netease-relay-404-wrong-path.html'));
    const htmlPage = await fetchAnswer(html, 'text/html; charset=utf-8', DEFAULT_MAX_BODY_BYTES);
    const oversized = await fetchAnswer(await readRepoRecorded('netease-song-url-batch-two-songs.json'), 'application/json', 256);
    expect(htmlPage).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false } });
    expect(oversized).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: false } });
  });

  it('a JSON body cut short on HTTP 200 stays retryable', async () => {
    const body = await readRepoRecorded('netease-song-url-fee8-128k.json');
    expect(await fetchAnswer(body.subarray(0, 150), 'application/json', DEFAULT_MAX_BODY_BYTES)).toMatchObject({
      ok: false,
      failure: { reason: 'upstream-error', retryable: true },
    });
  });

  it('a byte-order mark before the JSON is accepted for QQ answers too (RFC 8259 §8.1)', async () => {
    const bodyText = `\uFEFF${await readRecorded('qq-vkey-playable.json')}`;
    const parsed = parseQqVkey({ status: 200, contentType: 'application/json', bodyText, fetchedAt: FETCHED_AT }, { fallbackTtlSec: FALLBACK_TTL_SEC });
    expect(parsed.ok ? undefined : parsed.failure).toBeUndefined();
  });
});
