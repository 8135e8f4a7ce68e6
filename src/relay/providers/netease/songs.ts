import { z } from 'zod';
import type { Parsed, SongInfo } from '../provider.js';
import { readShape, statusFailure, type UpstreamResponse } from '../../upstream/response.js';
import { neteaseCodeFailure } from './answer-code.js';
import { ok } from '../../../result.js';
import { upstreamError } from '../../upstream/response.js';

/** A song object as `/song/detail`, `/playlist/track/all` and `/cloudsearch` return it. */
export const NeteaseSong = z.object({
  id: z.union([z.number(), z.string()]),
  name: z.string(),
  ar: z.array(z.object({ name: z.string().nullish() })).nullish(),
  al: z.object({ name: z.string().nullish(), picUrl: z.string().nullish() }).nullish(),
  /** Already milliseconds. */
  dt: z.number().nullish(),
});

const SongsBody = z.object({
  code: z.number(),
  message: z.string().nullish(),
  msg: z.string().nullish(),
  // Absent from refusals (-460, -462…): checked once the code says 200.
  songs: z.array(NeteaseSong).optional(),
});

/**
 * The songs of a `/song/detail` or `/playlist/track/all` answer, in order. Playability is not judged
 * here (`privileges[].pl` may be 0 for a song that /song/url serves): only /song/url decides that.
 */
export function parseNeteaseSongs(response: UpstreamResponse): Parsed<SongInfo[]> {
  const body = readShape(response, SongsBody, 'NetEase song list');
  if (!body.ok) return body;
  const { code, songs } = body.value;
  if (code !== 200) return neteaseCodeFailure(code, body.value.message ?? body.value.msg, response);
  if (response.status !== 200) return statusFailure(response, 'NetEase song list');
  if (!songs) return upstreamError(`unexpected NetEase song list (HTTP ${response.status}): songs: missing`, false);
  return ok(songs.map(toSongInfo));
}

export function toSongInfo(song: z.infer<typeof NeteaseSong>): SongInfo {
  const album = song.al?.name || undefined;
  const coverUrl = song.al?.picUrl || undefined;
  return {
    ref: `netease:${song.id}`,
    title: song.name,
    artists: (song.ar ?? []).flatMap((artist) => (artist.name ? [artist.name] : [])),
    ...(album ? { album } : {}),
    ...(song.dt && song.dt > 0 ? { durationMs: song.dt } : {}),
    ...(coverUrl ? { coverUrl } : {}),
  };
}
