import type { QqConfig } from '../../config.js';
import type { UpstreamFetch } from '../../upstream/fetch.js';
import { qqFileName } from './file-name.js';
import type { QqApi } from './qq-api.js';
import { parseQqSongDetail } from './song-detail.js';
import { parseQqSonglist } from './songlist.js';
import { parseQqVkey } from './vkey.js';

// musicu.fcg answers only requests that look like they come from y.qq.com.
const HEADERS = { referer: 'https://y.qq.com/' };
const COMM = { uin: '0', format: 'json', ct: 24, cv: 0 };

/** QQ Music's own endpoints: musicu.fcg for song detail and vkeys, the songlist fcg for playlists. */
export function createMusicuApi(options: { config: QqConfig; fetch: UpstreamFetch; guid: string }): QqApi {
  const { config, fetch, guid } = options;

  function musicu(module: Record<string, unknown>): URL {
    const url = new URL(config.musicuUrl);
    url.searchParams.set('format', 'json');
    url.searchParams.set('data', JSON.stringify({ comm: COMM, req_0: module }));
    return url;
  }

  return {

    async songDetail(songmid, deadlineAt) {
      const url = musicu({
        module: 'music.pf_song_detail_svr',
        method: 'get_song_detail_yqq',
        param: { song_type: 0, song_mid: songmid },
      });
      const response = await fetch({ url, headers: HEADERS, deadlineAt });
      return response.ok ? parseQqSongDetail(response.value) : response;
    },

    async audio(songmid, mediaMid, deadlineAt) {
      const url = musicu({
        module: 'vkey.GetVkeyServer',
        method: 'CgiGetVkey',
        param: {
          guid,
          songmid: [songmid],
          songtype: [0],
          // Named after the media mid, which differs from the songmid for many paid tracks.
          filename: [qqFileName(config.quality, mediaMid)],
          uin: '0',
          loginflag: 1,
          platform: '20',
        },
      });
      const response = await fetch({ url, headers: HEADERS, deadlineAt });
      return response.ok
        ? parseQqVkey(response.value, { fallbackSip: config.fallbackSip, fallbackTtlSec: config.assumedUrlTtlSec })
        : response;
    },

    async songlist(id, page, deadlineAt) {
      const url = new URL(config.songlistUrl);
      const params = { type: 1, json: 1, utf8: 1, onlysong: 0, format: 'json', disstid: id, song_begin: page.offset, song_num: page.limit };
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
      const response = await fetch({ url, headers: HEADERS, deadlineAt });
      return response.ok ? parseQqSonglist(response.value) : response;
    },
  };
}
