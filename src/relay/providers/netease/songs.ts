import { z } from 'zod';
import type { Parsed, SongInfo } from '../provider.js';
import { isRetryableStatus, readShape, statusFailure, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { ok } from '../../../result.js';

/** A song object as `/song/detail`, `/playlist/track/all` and `/cloudsearch` return it. */
const NeteaseSong = z.object({
  id: z.union([z.number(), z.string()]),
  name: z.string(),
  ar: z.array(z.object({ name: z.string().nullish() })).nullish(),
  al: z.object({ name: z.string().nullish(), picUrl: z.string().nullish() }).nullish(),
  /** Already milliseconds. */
  dt: z.number().nullish(),
});

const SongsBody = z.object({
  code: z.number(),
  songs: z.array(NeteaseSong),
});

/**
 * The songs of a `/song/detail` or `/playlist/track/all` answer, in order. Playability is not judged
 * here (`privileges[].pl` may be 0 for a song that /song/url serves): only /song/url decides that.
 */
export function parseNeteaseSongs(response: UpstreamResponse): Parsed<SongInfo[]> {
  const body = readShape(response, SongsBody, 'NetEase song list');
  if (!body.ok) return body;
  const { code } = body.value;
  if (code !== 200) return upstreamError(`NetEase answered code ${code}`, isRetryableStatus(code));
  if (response.status !== 200) return statusFailure(response, 'NetEase song list');
  return ok(body.value.songs.map(toSongInfo));
}

function toSongInfo(song: z.infer<typeof NeteaseSong>): SongInfo {
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
