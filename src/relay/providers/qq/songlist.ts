import { z } from 'zod';
import type { Parsed } from '../provider.js';
import { isQqSongmid } from '../../../refs/index.js';
import { readShape, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { qqMusicApiFailure } from './song-detail.js';
import { SonglistItem, trackFromSonglistItem, type QqTrack } from './track.js';
import { ok } from '../../../result.js';

const Cd = z.object({
  dissname: z.string().nullish(),
  songlist: z.array(SonglistItem),
  total_song_num: z.number().nullish(),
  songnum: z.number().nullish(),
  /** Index of songlist[0] in the whole list: tells whether the server honoured song_begin. */
  song_begin: z.number().nullish(),
});

export interface QqSonglist {
  name: string;
  /** Songs in the whole list. */
  total: number;
  /** Position of tracks[0] in the whole list. */
  firstIndex: number;
  tracks: QqTrack[];
}

const DirectBody = z.object({ code: z.number().optional(), cdlist: z.array(Cd) });

/** `fcg_ucc_getcdinfo_byids_cp.fcg` (old format): the list, or undefined when QQ has no such disstid. */
export function parseQqSonglist(response: UpstreamResponse): Parsed<QqSonglist | undefined> {
  const body = readShape(response, DirectBody, 'QQ songlist');
  if (!body.ok) return body;
  if (body.value.code !== undefined && body.value.code !== 0) {
    return upstreamError(`QQ songlist answered code ${body.value.code}`, true);
  }
  const cd = body.value.cdlist[0];
  return ok(cd ? toSonglist(cd) : undefined);
}

const QqMusicApiBody = z.object({ result: z.number(), errMsg: z.string().nullish(), data: Cd.nullish() });

/** jsososo/QQMusicApi `GET /songlist?id=`: `{result: 100, data: cdlist[0]}`. */
export function parseQqMusicApiSonglist(response: UpstreamResponse): Parsed<QqSonglist | undefined> {
  const body = readShape(response, QqMusicApiBody, 'QQMusicApi songlist');
  if (!body.ok) return body;
  if (body.value.result !== 100) return qqMusicApiFailure(body.value);
  return ok(body.value.data ? toSonglist(body.value.data) : undefined);
}

function toSonglist(cd: z.infer<typeof Cd>): QqSonglist {
  // Entries whose songmid is not a valid ref (removed songs come back with an empty one) are left out:
  // a ref the worker cannot parse is worse than a shorter list.
  const tracks = cd.songlist.filter((item) => isQqSongmid(item.songmid)).map(trackFromSonglistItem);
  return {
    name: cd.dissname ?? '',
    total: cd.total_song_num ?? cd.songnum ?? cd.songlist.length,
    firstIndex: cd.song_begin ?? 0,
    tracks,
  };
}

