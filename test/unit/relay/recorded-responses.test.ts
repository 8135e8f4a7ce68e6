import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { AudioSource, Parsed, SongInfo } from '../../../src/relay/providers/provider.js';
import { UNPLAYABLE_REASONS } from '../../../src/relay/providers/provider.js';
import { parseNeteasePlaylistDetail } from '../../../src/relay/providers/netease/playlist-detail.js';
import { parseNeteaseSongUrl } from '../../../src/relay/providers/netease/song-url.js';
import { parseNeteaseSongs } from '../../../src/relay/providers/netease/songs.js';
import { parseQqMusicApiSong, parseQqSongDetail } from '../../../src/relay/providers/qq/song-detail.js';
import { parseQqMusicApiSonglist, parseQqSonglist } from '../../../src/relay/providers/qq/songlist.js';
import type { QqTrack } from '../../../src/relay/providers/qq/track.js';
import { parseQqVkey } from '../../../src/relay/providers/qq/vkey.js';
import { parseQqMusicApiSongUrls, parseRain120MusicPlay } from '../../../src/relay/providers/qq/wrapper-urls.js';
import { createUpstreamFetch } from '../../../src/relay/upstream/fetch.js';
import type { UpstreamResponse } from '../../../src/relay/upstream/response.js';
import {
  loadRecordedCases,
  readRecorded,
  startRecordedUpstream,
  statusesOf,
  type RecordedCase,
  type RecordedUpstream,
} from '../../support/upstream.js';

/**
 * Every recorded response of cases.json through the parser a provider uses for it, called directly and
 * through a real HTTP upstream on 127.0.0.1, against the exact expected values of the manifest.
 */

const FETCHED_AT = Date.UTC(2024, 4, 1, 12, 0, 0);
/** The conservative TTL providers apply when a body states no expiry. */
const FALLBACK_TTL_SEC = 600;
const FALLBACK_SIP = 'http://fallback.stream.example/';

type ParserName =
  | 'netease-url'
  | 'netease-songs'
  | 'netease-playlist-detail'
  | 'qq-vkey'
  | 'qq-song-detail'
  | 'qq-songlist'
  | 'qqmusicapi-urls'
  | 'qqmusicapi-song'
  | 'qqmusicapi-songlist'
  | 'rain120-play';

/** Each parser, as a function of the response and the song (QQ songmid, NetEase id) a URL request was for. */
const PARSERS: Record<ParserName, (response: UpstreamResponse, songmid: string) => unknown> = {
  'netease-url': (response, songId) => parseNeteaseSongUrl(response, { songId, fallbackTtlSec: FALLBACK_TTL_SEC }),
  'netease-songs': (response) => parseNeteaseSongs(response),
  'netease-playlist-detail': (response) => parseNeteasePlaylistDetail(response),
  'qq-vkey': (response) => parseQqVkey(response, { fallbackTtlSec: FALLBACK_TTL_SEC }),
  'qq-song-detail': (response) => parseQqSongDetail(response),
  'qq-songlist': (response) => parseQqSonglist(response),
  'qqmusicapi-urls': (response, songmid) => parseQqMusicApiSongUrls(response, songmid, { fallbackTtlSec: FALLBACK_TTL_SEC }),
  'qqmusicapi-song': (response) => parseQqMusicApiSong(response),
  'qqmusicapi-songlist': (response) => parseQqMusicApiSonglist(response),
  'rain120-play': (response, songmid) => parseRain120MusicPlay(response, songmid, { fallbackTtlSec: FALLBACK_TTL_SEC }),
};
const URL_PARSERS: ParserName[] = ['netease-url', 'qq-vkey', 'qqmusicapi-urls', 'rain120-play'];

/** Which parser handles a case, from its provider, relay and endpoint; an unknown case fails the run. */
function parsersFor(recorded: RecordedCase): ParserName[] {
  const { provider, relay, endpoint, kind } = recorded;
  if (kind === 'any') return Object.keys(PARSERS) as ParserName[];
  if (provider === 'netease') {
    if (kind === 'url') return ['netease-url'];
    return [endpoint.includes('/playlist/detail') ? 'netease-playlist-detail' : 'netease-songs'];
  }
  if (provider === 'qq' && relay.startsWith('jsososo')) {
    return [kind === 'url' ? 'qqmusicapi-urls' : kind === 'metadata' ? 'qqmusicapi-song' : 'qqmusicapi-songlist'];
  }
  if (provider === 'qq' && relay.startsWith('Rain120')) return ['rain120-play'];
  if (provider === 'qq') return [kind === 'url' ? 'qq-vkey' : kind === 'metadata' ? 'qq-song-detail' : 'qq-songlist'];
  throw new Error(`no parser known for ${recorded.file} (${provider}, ${relay})`);
}

/** Songs a URL case is about: QQ songmids (jsososo answers for several at once) or the NetEase id asked for. */
function songmidsOf(recorded: RecordedCase): string[] {
  const { expect: expected } = recorded;
  if (recorded.provider === 'netease') return [String(expected.id ?? '')];
  if (expected.urls && typeof expected.urls === 'object') return Object.keys(expected.urls);
  if (typeof expected.songmid === 'string') return [expected.songmid];
  return [/[?&](?:id|songmid)=([0-9A-Za-z]{14})/.exec(recorded.endpoint)?.[1] ?? '000000000000AA'];
}

interface ExpectedTrack {
  id?: number;
  songmid?: string;
  mediaMid?: string;
  title: string;
  artists: string[];
  album: string;
  durationMs: number;
  coverUrl?: string;
}

function expectTrack(actual: SongInfo | undefined, expected: ExpectedTrack, mediaMid?: string): void {
  expect(actual).toBeDefined();
  const ref = expected.songmid ? `qq:${expected.songmid}` : `netease:${expected.id}`;
  expect(actual).toMatchObject({ ref, title: expected.title, artists: expected.artists, album: expected.album, durationMs: expected.durationMs });
  if (expected.coverUrl) expect(actual?.coverUrl).toBe(expected.coverUrl);
  if (expected.mediaMid) expect(mediaMid).toBe(expected.mediaMid);
}

function unwrap<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`parser failed: ${parsed.failure.detail}`);
  return parsed.value;
}

function expectAbsoluteHttpWhenPlayable(lookup: Parsed<AudioSource>): void {
  if (lookup.ok) expect(new URL(lookup.value.url).protocol).toMatch(/^https?:$/);
}

function expectPlayable(lookup: Parsed<AudioSource>, url: string, expected: RecordedCase['expect'], fetchedAt: number): void {
  expect(lookup.ok).toBe(true);
  if (!lookup.ok) return;
  expect(lookup.value.url).toBe(url);
  const expirySec = typeof expected.expiresInSec === 'number' ? expected.expiresInSec : FALLBACK_TTL_SEC;
  expect(lookup.value.expiresAt).toBe(fetchedAt + expirySec * 1000);
  if (expected.format) expect(lookup.value.format).toBe(expected.format);
  if (expected.bitrate) expect(lookup.value.bitrate).toBe(expected.bitrate);
  if (expected.size) expect(lookup.value.size).toBe(expected.size);
}

/** All the assertions of one case, on a response however it was obtained. */
function checkCase(recorded: RecordedCase, response: UpstreamResponse): void {
  const { expect: expected } = recorded;
  for (const parser of parsersFor(recorded)) {
    if (recorded.kind === 'any') {
      // An nginx error page, whatever was asked: never playable, never a crash.
      const result = PARSERS[parser](response, songmidsOf(recorded)[0] ?? '') as Parsed<unknown>;
      const failure = result.ok ? undefined : result.failure;
      expect(failure, parser).toMatchObject({ reason: 'upstream-error', retryable: expected.retryable });
      continue;
    }
    if (recorded.kind === 'url') {
      checkUrlCase(recorded, response, parser);
      continue;
    }
    const parsed = PARSERS[parser](response, '') as Parsed<unknown>;
    checkMetadataCase(recorded, unwrap(parsed), parser);
  }
}

function checkUrlCase(recorded: RecordedCase, response: UpstreamResponse, parser: ParserName): void {
  const { expect: expected } = recorded;
  for (const songmid of songmidsOf(recorded)) {
    const lookup = PARSERS[parser](response, songmid) as Parsed<AudioSource>;
    expectAbsoluteHttpWhenPlayable(lookup);
    const reasons = Array.isArray(expected.reason) ? (expected.reason as string[]) : [];
    switch (expected.outcome) {
      case 'playable':
      case 'playable-candidate': {
        const urls = expected.urls as Record<string, string> | undefined;
        expectPlayable(lookup, urls ? (urls[songmid] as string) : (expected.url as string), expected, response.fetchedAt);
        break;
      }
      case 'playable-or-clean-error':
        if (lookup.ok) expectPlayable(lookup, expected.url as string, expected, response.fetchedAt);
        else expect(lookup.failure.reason).toBe('upstream-error');
        break;
      case 'playable-with-fallback-host-or-upstream-error': {
        // Without a configured host there is no URL to give; with one, it is that host + purl.
        expect(lookup).toMatchObject({ ok: false, failure: { reason: 'upstream-error' } });
        const withFallback = parseQqVkey(response, { fallbackSip: FALLBACK_SIP, fallbackTtlSec: FALLBACK_TTL_SEC });
        expectPlayable(withFallback, `${FALLBACK_SIP}${expected.purl as string}`, expected, response.fetchedAt);
        break;
      }
      case 'unplayable':
        expect(lookup.ok).toBe(false);
        if (!lookup.ok) {
          expect(reasons).toContain(lookup.failure.reason);
          expect(lookup.failure.retryable).toBe(false);
          const window = expected.trialWindowSec as [number, number] | undefined;
          if (window) expect(lookup.failure.detail).toContain(`${window[0]}-${window[1]} s`);
        }
        break;
      case 'upstream-error':
        expect(lookup).toMatchObject({ ok: false, failure: { reason: 'upstream-error' } });
        if (typeof expected.retryable === 'boolean') expect(lookup).toMatchObject({ failure: { retryable: expected.retryable } });
        break;
      case 'unplayable-or-upstream-error':
        expect(lookup.ok).toBe(false);
        if (!lookup.ok) expect([...reasons, 'upstream-error']).toContain(lookup.failure.reason);
        break;
      default:
        throw new Error(`${recorded.file}: unknown expected outcome ${String(expected.outcome)}`);
    }
  }
}

function checkMetadataCase(recorded: RecordedCase, value: unknown, parser: ParserName): void {
  const { expect: expected } = recorded;
  const tracks = (expected.tracks ?? []) as ExpectedTrack[];
  switch (parser) {
    case 'netease-songs': {
      const songs = value as SongInfo[];
      if (typeof expected.count === 'number') expect(songs).toHaveLength(expected.count);
      tracks.forEach((track, index) => expectTrack(songs[index], track));
      break;
    }
    case 'netease-playlist-detail': {
      const summary = value as { name: string; trackIds: string[] };
      expect(summary.trackIds).toHaveLength(expected.trackIdsCount as number);
      expect(summary.trackIds).toHaveLength(expected.trackCount as number);
      expect(summary.trackIds.slice(0, 5)).toEqual((expected.firstTrackIds as number[]).map(String));
      break;
    }
    case 'qq-song-detail':
    case 'qqmusicapi-song': {
      const track = value as QqTrack;
      expect(tracks).toHaveLength(1);
      expectTrack(track.song, tracks[0] as ExpectedTrack, track.mediaMid);
      break;
    }
    case 'qq-songlist':
    case 'qqmusicapi-songlist': {
      const list = value as { total: number; tracks: QqTrack[] };
      expect(list.tracks).toHaveLength(expected.count as number);
      expect(list.total).toBe(expected.count);
      tracks.forEach((track, index) => expectTrack(list.tracks[index]?.song, track, list.tracks[index]?.mediaMid));
      break;
    }
    default:
      throw new Error(`${recorded.file}: ${parser} is not a metadata parser`);
  }
}

const cases = await loadRecordedCases();

describe('recorded responses, parsed directly', () => {
  it('cover every file of the recorded set', () => {
    expect(cases.length).toBeGreaterThanOrEqual(31);
  });

  describe.each(cases.map((recorded) => [recorded.file, recorded] as const))('%s', (_file, recorded) => {
    it.each(statusesOf(recorded))('gives the expected result with HTTP %i', async (status) => {
      const bodyText = await readRecorded(recorded.file);
      checkCase(recorded, { status, contentType: recorded.contentType, bodyText, fetchedAt: FETCHED_AT });
    });
  });
});

describe('recorded responses, through a real HTTP upstream', () => {
  let upstream: RecordedUpstream;
  const fetch = (origin: string, now = () => FETCHED_AT) =>
    createUpstreamFetch({ allowedOrigins: [origin], maxBodyBytes: 2 * 1024 * 1024, now, logger: silentLogger() });

  beforeAll(async () => {
    upstream = await startRecordedUpstream();
  });
  afterAll(() => upstream.close());

  describe.each(cases.map((recorded) => [recorded.file, recorded] as const))('%s', (_file, recorded) => {
    it.each(statusesOf(recorded))('gives the expected result when served with HTTP %i', async (status) => {
      const body = await readRecorded(recorded.file);
      upstream.setRoutes(() => ({ status, contentType: recorded.contentType, body }));
      const response = await fetch(upstream.url)({ url: new URL(`/${recorded.file}`, upstream.url), deadlineAt: FETCHED_AT + 4000 });
      expect(response.ok).toBe(true);
      if (!response.ok) return;
      expect(response.value).toMatchObject({ status, contentType: recorded.contentType, bodyText: body, fetchedAt: FETCHED_AT });
      checkCase(recorded, response.value);
    });
  });
});

describe('parsers never throw', () => {
  it('on any recorded body, whole or cut short at any of several points, given to any parser', async () => {
    const bodies = await Promise.all(cases.map((recorded) => readRecorded(recorded.file)));
    for (const body of bodies) {
      for (const cut of [body.length, 0, 1, Math.floor(body.length / 3), Math.floor(body.length / 2), body.length - 1]) {
        for (const status of [200, 400, 404, 502]) {
          const response = { status, contentType: 'application/json', bodyText: body.slice(0, cut), fetchedAt: FETCHED_AT };
          for (const name of Object.keys(PARSERS) as ParserName[]) {
            const result = PARSERS[name](response, '002wit7s1Tvdlg') as Parsed<unknown>;
            if (URL_PARSERS.includes(name)) {
              expectAbsoluteHttpWhenPlayable(result as Parsed<AudioSource>);
              if (!result.ok) expect(UNPLAYABLE_REASONS).toContain(result.failure.reason);
            } else if (!result.ok) {
              expect(result.failure.reason).toBe('upstream-error');
            }
          }
        }
      }
    }
  });

  it('and a truncated body is a retryable upstream-error for every URL parser', async () => {
    const body = await readRecorded('qq-vkey-playable.json');
    const response = { status: 200, contentType: 'application/json', bodyText: body.slice(0, 700), fetchedAt: FETCHED_AT };
    for (const name of URL_PARSERS) {
      expect(PARSERS[name](response, '002wit7s1Tvdlg'), name).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
    }
  });
});
