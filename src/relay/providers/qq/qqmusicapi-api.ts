import type { QqConfig } from '../../config.js';
import type { UpstreamFetch } from '../../upstream/fetch.js';
import type { QqApi } from './qq-api.js';
import { parseQqMusicApiSong } from './song-detail.js';
import { parseQqMusicApiSonglist } from './songlist.js';
import { parseQqMusicApiSongUrls } from './wrapper-urls.js';

/** A jsososo/QQMusicApi server (`/song`, `/song/urls`, `/songlist`), e.g. one logged in with a VIP cookie. */
export function createQqMusicApi(options: { config: QqConfig & { qqMusicApiUrl: string }; fetch: UpstreamFetch }): QqApi {
  const { config, fetch } = options;
  const base = config.qqMusicApiUrl.endsWith('/') ? config.qqMusicApiUrl : `${config.qqMusicApiUrl}/`;

  function endpoint(path: string, params: Record<string, string>): URL {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  }

  return {

    async songDetail(songmid, deadlineAt) {
      const response = await fetch({ url: endpoint('song', { songmid }), deadlineAt });
      return response.ok ? parseQqMusicApiSong(response.value) : response;
    },

    async audio(songmid, _mediaMid, deadlineAt) {
      // The wrapper finds the media mid itself.
      const response = await fetch({ url: endpoint('song/urls', { id: songmid }), deadlineAt });
      return response.ok
        ? parseQqMusicApiSongUrls(response.value, songmid, { fallbackTtlSec: config.assumedUrlTtlSec, fallbackSip: config.fallbackSip })
        : response;
    },

    async songlist(id, _page, deadlineAt) {
      // Always the whole list (`firstIndex` 0); the provider pages it.
      const response = await fetch({ url: endpoint('songlist', { id }), deadlineAt });
      return response.ok ? parseQqMusicApiSonglist(response.value) : response;
    },
  };
}
