import { z } from 'zod';
import type { Parsed } from '../provider.js';
import { readShape, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { findMusicuModule } from './musicu-answer.js';
import { TrackInfo, trackFromTrackInfo, type QqTrack } from './track.js';
import { ok } from '../../../result.js';

const DetailModule = z.object({
  code: z.number().optional(),
  data: z.object({ track_info: z.unknown() }),
});

/** `music.pf_song_detail_svr` through musicu.fcg: the track, or undefined when QQ knows no such song. */
export function parseQqSongDetail(response: UpstreamResponse): Parsed<QqTrack | undefined> {
  const module = findMusicuModule(response, DetailModule, 'song detail');
  if (!module.ok) return module;
  if (module.value.code !== undefined && module.value.code !== 0) {
    return upstreamError(`QQ song detail module answered code ${module.value.code}`, true);
  }
  return readTrackInfo(module.value.data.track_info);
}

const QqMusicApiSong = z.object({
  result: z.number(),
  errMsg: z.string().nullish(),
  data: z.object({ track_info: z.unknown() }).nullish(),
});

/** jsososo/QQMusicApi `GET /song?songmid=`: `{result: 100, data: <song detail data>}`. */
export function parseQqMusicApiSong(response: UpstreamResponse): Parsed<QqTrack | undefined> {
  const body = readShape(response, QqMusicApiSong, 'QQMusicApi song answer');
  if (!body.ok) return body;
  if (body.value.result !== 100 || !body.value.data) return qqMusicApiFailure(body.value);
  return readTrackInfo(body.value.data.track_info);
}

/** jsososo answers HTTP 200 with `result` 100 for success and anything else (200, 400…) for failure. */
export function qqMusicApiFailure(body: { result: number; errMsg?: string | null | undefined }) {
  return upstreamError(`QQMusicApi answered result ${body.result}${body.errMsg ? ` (${body.errMsg})` : ''}`, true);
}

function readTrackInfo(trackInfo: unknown): Parsed<QqTrack | undefined> {
  // An unknown songmid comes back as an empty track_info.
  if (typeof trackInfo !== 'object' || trackInfo === null || !('mid' in trackInfo) || !trackInfo.mid) {
    return ok(undefined);
  }
  const info = TrackInfo.safeParse(trackInfo);
  if (!info.success) return upstreamError('QQ song detail: track_info lacks name or mid', true);
  return ok(trackFromTrackInfo(info.data));
}
