import { z } from 'zod';
import type { NeteaseConfig } from '../../config.js';
import { SEARCH_RESULTS, type SongSearch } from '../../match/song-search.js';
import type { UpstreamFetch } from '../../upstream/fetch.js';
import { readShape, statusFailure, type UpstreamResponse } from '../../upstream/response.js';
import { ok } from '../../../result.js';
import type { Parsed, SongInfo } from '../provider.js';
import { neteaseCodeFailure } from './answer-code.js';
import { NeteaseSong, toSongInfo } from './songs.js';

const SearchBody = z.object({
  code: z.number(),
  message: z.string().nullish(),
  msg: z.string().nullish(),
  // Nothing found: `result: {songCount: 0}` without `songs`, or no `result` at all.
  result: z.object({ songs: z.array(NeteaseSong).nullish() }).nullish(),
});

/** NeteaseCloudMusicApi's `/cloudsearch?keywords=<q>&type=1` (songs), on the configured server. */
export function createNeteaseSearch(options: { config: NeteaseConfig; fetch: UpstreamFetch }): SongSearch {
  const { config, fetch } = options;
  const base = config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`;
  return async (query, deadlineAt) => {
    const url = new URL('cloudsearch', base);
    url.searchParams.set('keywords', query);
    url.searchParams.set('type', '1');
    url.searchParams.set('limit', String(SEARCH_RESULTS));
    if (config.realIp) url.searchParams.set('realIP', config.realIp);
    const response = await fetch({ url, deadlineAt });
    return response.ok ? parseNeteaseSearch(response.value) : response;
  };
}

export function parseNeteaseSearch(response: UpstreamResponse): Parsed<SongInfo[]> {
  const body = readShape(response, SearchBody, 'NetEase search answer');
  if (!body.ok) return body;
  const { code, result } = body.value;
  if (code !== 200) return neteaseCodeFailure(code, body.value.message ?? body.value.msg, response);
  if (response.status !== 200) return statusFailure(response, 'NetEase search');
  return ok((result?.songs ?? []).map(toSongInfo));
}
