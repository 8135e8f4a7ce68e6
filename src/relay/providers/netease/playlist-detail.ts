import { z } from 'zod';
import type { Parsed } from '../provider.js';
import { readShape, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { ok } from '../../../result.js';
import { neteaseCodeFailure } from './answer-code.js';

const PlaylistBody = z.object({
  code: z.number(),
  message: z.string().nullish(),
  msg: z.string().nullish(),
  playlist: z
    .object({
      name: z.string(),
      // Every track of the list. `tracks` holds only the first 20 full songs: listing from it loses the rest.
      trackIds: z.array(z.object({ id: z.union([z.number(), z.string()]) })),
    })
    .nullish(),
});

export interface NeteasePlaylistSummary {
  name: string;
  /** Song ids of the whole playlist, in order. */
  trackIds: string[];
}

/** `/playlist/detail`: the playlist's name and all its track ids; undefined when NetEase says it does not exist. */
export function parseNeteasePlaylistDetail(response: UpstreamResponse): Parsed<NeteasePlaylistSummary | undefined> {
  const body = readShape(response, PlaylistBody, 'NetEase playlist detail');
  if (!body.ok) return body;
  const { code, playlist } = body.value;
  if (code === 404) return ok(undefined);
  if (code !== 200) return neteaseCodeFailure(code, body.value.message ?? body.value.msg, response);
  if (!playlist) return upstreamError('NetEase answered code 200 without a playlist', false);
  return ok({ name: playlist.name, trackIds: playlist.trackIds.map((track) => String(track.id)) });
}
