import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { Resolution } from '../../../src/relay/providers/provider.js';
import { createResolver } from '../../../src/relay/resolver.js';
import { loadRepoRecordedCases, readRepoRecorded, type RepoRecordedCase } from '../../support/recorded-upstream.js';
import { recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from '../../support/upstream.js';

/**
 * The repo's recorded QQ answers (test/fixtures/recorded-upstream/cases-qq*.json), each served from a
 * loopback upstream and read through the whole QQ provider, musicu.fcg or the jsososo wrapper.
 */

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const FALLBACK_TTL_SEC = 600;
const FALLBACK_SIP = 'http://isure.stream.qqmusic.qq.com/';
const cases = (await loadRepoRecordedCases()).filter((recorded) => recorded.provider === 'qq');

function musicuModule(request: SeenRequest): string | undefined {
  const data = JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } };
  return data.req_0?.module;
}

interface ExpectedTrack {
  songmid: string;
  title: string;
  artists: string[];
  album?: string;
  durationMs?: number;
}

describe('recorded QQ answers of the repo set', () => {
  let upstream: RecordedUpstream;
  let routes: { detail?: UpstreamReply; vkey?: UpstreamReply; paths: Record<string, UpstreamReply> };

  const resolver = (recorded: RepoRecordedCase, qq: Record<string, unknown> = {}) =>
    createResolver({
      config: {
        qq: recorded.relay.startsWith('jsososo')
          ? { api: 'qqmusicapi', qqMusicApiUrl: upstream.url, ...qq }
          : { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/songlist.fcg`, ...qq },
      },
      logger: silentLogger(),
      now: () => NOW,
      random: () => 0,
    });
  const body = async (recorded: RepoRecordedCase): Promise<UpstreamReply> => ({
    status: recorded.httpStatus,
    contentType: recorded.contentType,
    body: (await readRepoRecorded(recorded.file)).toString('utf8'),
  });

  beforeAll(async () => {
    upstream = await startRecordedUpstream((request) => {
      if (!request.path.endsWith('musicu.fcg')) return routes.paths[request.path];
      return musicuModule(request) === 'vkey.GetVkeyServer' ? routes.vkey : routes.detail;
    });
  });
  afterAll(() => upstream.close());

  it('lists every QQ case of cases-qq*.json', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(cases.filter((recorded) => recorded.kind === 'metadata').map((recorded) => [recorded.name, recorded] as const))(
    'song lookup %s',
    (_name, recorded) => {
      it('gives the displayed title, every singer, album, duration and cover', async () => {
        const wrapper = recorded.relay.startsWith('jsososo');
        routes = wrapper
          ? { paths: { '/song': await body(recorded), '/song/urls': await recordedReply('qqmusicapi-song-urls.json') } }
          : { detail: await body(recorded), vkey: await recordedReply('qq-vkey-playable.json'), paths: {} };
        upstream.requests.length = 0;
        const resolution: Resolution = await resolver(recorded).resolveSong(`qq:${recorded.songId ?? ''}`);
        const song = resolution.ok ? resolution.value.song : resolution.failure.song;
        const { title, artists, album, durationMs, coverUrl, mediaMid } = recorded.expect;
        expect(song).toEqual({ ref: `qq:${recorded.songId ?? ''}`, title, artists, album, durationMs, coverUrl });
        if (!wrapper) {
          const vkey = upstream.requests.find((request) => musicuModule(request) === 'vkey.GetVkeyServer');
          expect(vkey?.query.get('data')).toContain(`"filename":["C400${String(mediaMid)}.m4a"]`);
        }
      });
    },
  );

  describe.each(cases.filter((recorded) => recorded.kind === 'url').map((recorded) => [recorded.name, recorded] as const))(
    'audio lookup %s',
    (_name, recorded) => {
      const serve = async () => {
        routes = recorded.relay.startsWith('jsososo')
          ? { paths: { '/song': await recordedReply('qqmusicapi-song.json'), '/song/urls': await body(recorded) } }
          : { detail: await recordedReply('qq-song-detail.json'), vkey: await body(recorded), paths: {} };
      };
      const { outcome, retryable, purl, url, expiresInSec, format, bitrate } = recorded.expect;

      it('gives the outcome the case states, never a URL without a scheme and host', async () => {
        await serve();
        const resolution = await resolver(recorded).resolveSong(`qq:${recorded.songId ?? ''}`);
        if (outcome === 'playable') {
          expect(resolution).toMatchObject({ ok: true, value: { audio: { url, format, expiresAt: NOW + Number(expiresInSec) * 1000 } } });
        } else if (outcome === 'unplayable') {
          // A lasting reason QQ stated for this song (result 104003/104004): "not this song", not "not now".
          expect(resolution).toMatchObject({ ok: false, failure: { retryable: false } });
          expect(recorded.expect.reason).toContain(resolution.ok ? undefined : resolution.failure.reason);
        } else {
          // No stream host (and no fallback configured), or QQ refused the caller: "not now", never "not this song".
          expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable } });
        }
      });

      if (outcome === 'playable-with-fallback-host-or-upstream-error') {
        it('plays the purl on the configured fallback host, as musicu.fcg does', async () => {
          await serve();
          const resolution = await resolver(recorded, { fallbackSip: FALLBACK_SIP }).resolveSong(`qq:${recorded.songId ?? ''}`);
          expect(resolution).toMatchObject({
            ok: true,
            value: { audio: { url: `${FALLBACK_SIP}${String(purl)}`, format, bitrate, expiresAt: NOW + FALLBACK_TTL_SEC * 1000 } },
          });
        });
      }
    },
  );

  describe.each(cases.filter((recorded) => recorded.kind === 'playlist').map((recorded) => [recorded.name, recorded] as const))(
    'songlist %s',
    (_name, recorded) => {
      it('lists each entry under its displayed title', async () => {
        const path = recorded.relay.startsWith('jsososo') ? '/songlist' : '/songlist.fcg';
        routes = { paths: { [path]: await body(recorded) } };
        const page = await resolver(recorded).resolvePlaylist('qq:playlist:1', { offset: 0, limit: 100 });
        const tracks = recorded.expect.tracks as ExpectedTrack[];
        expect(page.total).toBe(recorded.expect.total);
        expect(page.songs).toHaveLength(tracks.length);
        tracks.forEach((track, index) => {
          const song = page.songs[index];
          expect(song).toMatchObject({ ref: `qq:${track.songmid}`, title: track.title, artists: track.artists });
          expect(song?.album).toBe(track.album);
          expect(song?.durationMs).toBe(track.durationMs);
        });
      });
    },
  );
});
