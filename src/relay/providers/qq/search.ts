import { z } from 'zod';
import type { QqConfig } from '../../config.js';
import { SEARCH_RESULTS, type SongSearch } from '../../match/song-search.js';
import type { UpstreamFetch } from '../../upstream/fetch.js';
import { readShape, statusFailure, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { ok } from '../../../result.js';
import type { Parsed, SongInfo } from '../provider.js';
import { findMusicuModule } from './musicu-answer.js';
import { qqSongInfo, Singers } from './track.js';

// musicu.fcg answers only requests that look like they come from y.qq.com.
const HEADERS = { referer: 'https://y.qq.com/' };
const COMM = { uin: '0', format: 'json', ct: 24, cv: 0 };


/** A song of `music.search.SearchCgiService` (`req_0.data.body.song.list[]`). */
const MusicuSong = z.object({
  mid: z.string().min(1),
  name: z.string(),
  /** The displayed title, version suffix included ("晴天 (Live)"): what the matcher must see. */
  title: z.string().nullish(),
  singer: Singers,
  album: z.object({ mid: z.string().nullish(), name: z.string().nullish() }).nullish(),
  /** Seconds. */
  interval: z.number().nullish(),
});

const SearchModule = z.object({
  code: z.number(),
  data: z.object({ body: z.object({ song: z.object({ list: z.array(MusicuSong).nullish() }).nullish() }).nullish() }).nullish(),
});

/** A song of the wrapper's `/search` (`data.list[]`, the client_search_cp fields). */
const WrapperSong = z.object({
  songmid: z.string().min(1),
  songname: z.string(),
  singer: Singers,
  albumname: z.string().nullish(),
  albummid: z.string().nullish(),
  interval: z.number().nullish(),
});

const WrapperBody = z.object({
  result: z.number(),
  data: z.object({ list: z.array(WrapperSong).nullish() }).nullish(),
  errMsg: z.string().nullish(),
});

/** QQ Music's song search: musicu.fcg's desktop search module, or a jsososo/QQMusicApi server's `/search?key=`. */
export function createQqSearch(options: { config: QqConfig; fetch: UpstreamFetch }): SongSearch {
  const { config, fetch } = options;
  if (config.api === 'qqmusicapi' && config.qqMusicApiUrl) {
    const base = config.qqMusicApiUrl.endsWith('/') ? config.qqMusicApiUrl : `${config.qqMusicApiUrl}/`;
    return async (query, deadlineAt) => {
      const url = new URL('search', base);
      url.searchParams.set('key', query);
      url.searchParams.set('pageNo', '1');
      url.searchParams.set('pageSize', String(SEARCH_RESULTS));
      const response = await fetch({ url, deadlineAt });
      return response.ok ? parseQqMusicApiSearch(response.value) : response;
    };
  }
  return async (query, deadlineAt) => {
    const url = new URL(config.musicuUrl);
    url.searchParams.set('format', 'json');
    url.searchParams.set(
      'data',
      JSON.stringify({
        comm: COMM,
        req_0: {
          module: 'music.search.SearchCgiService',
          method: 'DoSearchForQQMusicDesktop',
          param: { query, search_type: 0, page_num: 1, num_per_page: SEARCH_RESULTS },
        },
      }),
    );
    const response = await fetch({ url, headers: HEADERS, deadlineAt });
    return response.ok ? parseQqSearch(response.value) : response;
  };
}

export function parseQqSearch(response: UpstreamResponse): Parsed<SongInfo[]> {
  const module = findMusicuModule(response, SearchModule, 'search');
  if (!module.ok) return module;
  if (module.value.code !== 0) return upstreamError(`QQ search answered code ${module.value.code}`, true);
  const list = module.value.data?.body?.song?.list ?? [];
  return ok(
    list.map((song) =>
      qqSongInfo({
        songmid: song.mid,
        title: song.title || song.name,
        singers: song.singer,
        album: song.album?.name,
        albumMid: song.album?.mid,
        intervalSec: song.interval,
      }),
    ),
  );
}

export function parseQqMusicApiSearch(response: UpstreamResponse): Parsed<SongInfo[]> {
  const body = readShape(response, WrapperBody, 'QQMusicApi search answer');
  if (!body.ok) return body;
  const { result, data, errMsg } = body.value;
  if (result !== 100) return upstreamError(`QQMusicApi search answered result ${result}${errMsg ? ` (${errMsg})` : ''}`, true);
  if (response.status !== 200) return statusFailure(response, 'QQMusicApi search');
  return ok(
    (data?.list ?? []).map((song) =>
      qqSongInfo({
        songmid: song.songmid,
        title: song.songname,
        singers: song.singer,
        album: song.albumname,
        albumMid: song.albummid,
        intervalSec: song.interval,
      }),
    ),
  );
}
