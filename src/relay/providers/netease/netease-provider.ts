import type { NeteaseConfig } from '../../config.js';
import { failed, ok } from '../../../result.js';
import { NotFoundError, UpstreamError } from '../../errors.js';
import { formatRef } from '../../../refs/index.js';
import type { UpstreamFetch } from '../../upstream/fetch.js';
import type { LookupContext, PageRequest, PlaylistPage, Provider, Resolution, SongInfo } from '../provider.js';
import { parseNeteasePlaylistDetail } from './playlist-detail.js';
import { parseNeteaseSongUrl } from './song-url.js';
import { parseNeteaseSongs } from './songs.js';

/** Bitrate `/song/url?br=` asks for, per quality level of `/song/url/v1?level=`. */
const LEVEL_BITRATE = { standard: 128_000, higher: 192_000, exhigh: 320_000, lossless: 999_000 } as const;

/** NetEase through a NeteaseCloudMusicApi-compatible server (`/song/url`, `/song/detail`, `/playlist/*`). */
export function createNeteaseProvider(options: { config: NeteaseConfig; fetch: UpstreamFetch }): Provider<'netease'> {
  const { config, fetch } = options;
  // A base with a path (`http://host/api`) must keep it: relative URLs resolve against a trailing slash.
  const base = config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`;

  function endpoint(path: string, params: Record<string, string | number>): URL {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
    if (config.realIp) url.searchParams.set('realIP', config.realIp);
    return url;
  }

  function songUrlEndpoint(id: string): URL {
    return config.songUrlApi === 'v1'
      ? endpoint('song/url/v1', { id, level: config.level })
      : endpoint('song/url', { id, br: LEVEL_BITRATE[config.level] });
  }

  async function fetchSongs(url: URL, context: LookupContext) {
    const response = await fetch({ url, deadlineAt: context.deadlineAt });
    return response.ok ? parseNeteaseSongs(response.value) : response;
  }

  return {
    name: 'netease',

    async resolveSong(ref, context): Promise<Resolution> {
      const songRef = formatRef(ref);
      const [songs, audio] = await Promise.all([
        fetchSongs(endpoint('song/detail', { ids: ref.id }), context),
        fetch({ url: songUrlEndpoint(ref.id), deadlineAt: context.deadlineAt }).then((response) =>
          response.ok ? parseNeteaseSongUrl(response.value, { songId: ref.id, fallbackTtlSec: config.assumedUrlTtlSec }) : response,
        ),
      ]);
      const song = songs.ok ? songs.value.find((candidate) => candidate.ref === songRef) : undefined;

      if (!audio.ok) {
        const { failure } = audio;
        if (songs.ok && !song && failure.reason === 'no-rights') {
          // No URL and no song detail either: the id was withdrawn, not merely unlicensed.
          return failed({ ...failure, reason: 'delisted', detail: `${failure.detail}; NetEase has no song detail for it either` });
        }
        return song ? failed({ ...failure, song }) : audio;
      }
      // A playable URL is not thrown away because the detail call failed: the song plays under its ref.
      return ok({
        song: song ?? untitled(songRef),
        // The server may hand out an answer it cached a while ago: the URL dies that much sooner.
        audio: { ...audio.value, expiresAt: audio.value.expiresAt - config.upstreamCacheSec * 1000 },
      });
    },

    async getPlaylist(ref, page: PageRequest, context): Promise<PlaylistPage> {
      const playlistRef = formatRef(ref);
      const [summary, songs] = await Promise.all([
        fetch({ url: endpoint('playlist/detail', { id: ref.id }), deadlineAt: context.deadlineAt }).then((response) =>
          response.ok ? parseNeteasePlaylistDetail(response.value) : response,
        ),
        fetchSongs(endpoint('playlist/track/all', { id: ref.id, limit: page.limit, offset: page.offset }), context),
      ]);
      if (!summary.ok) throw new UpstreamError(playlistRef, summary.failure.detail, summary.failure.retryable);
      if (!summary.value) throw new NotFoundError(playlistRef, 'NetEase has no such playlist');
      const total = summary.value.trackIds.length;
      // Past the end the server may fail on an empty id list; there is nothing to list anyway.
      if (page.offset >= total) return { ref: playlistRef, name: summary.value.name, total, ...page, songs: [] };
      if (!songs.ok) throw new UpstreamError(playlistRef, songs.failure.detail, songs.failure.retryable);
      return { ref: playlistRef, name: summary.value.name, total, ...page, songs: songs.value.slice(0, page.limit) };
    },
  };
}

/** A playable song whose detail NetEase did not list, or could not be asked for: it still plays, under its ref. */
function untitled(ref: string): SongInfo {
  return { ref, title: ref, artists: [] };
}
