import { z } from 'zod';
import type { AudioSource, Parsed } from '../provider.js';
import { audioFormatOf, expiresAt, playable, urlExtension } from '../audio-source.js';
import { readShape, refused, statusFailure, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { neteaseCodeFailure } from './answer-code.js';

/** One item of `/song/url`, `/song/url/v1` or `/song/download/url` (NeteaseCloudMusicApi). */
const UrlItem = z.object({
  /** The song this item is about: a batched or unlock-server answer may list others too. */
  id: z.union([z.number(), z.string()]).nullish(),
  url: z.string().nullish(),
  br: z.number().nullish(),
  size: z.number().nullish(),
  code: z.number().nullish(),
  /** Seconds until the URL answers 403. */
  expi: z.number().nullish(),
  type: z.string().nullish(),
  /** Non-null marks a 30-60 s preview clip. */
  freeTrialInfo: z.object({ start: z.number().nullish(), end: z.number().nullish() }).loose().nullish(),
});

const SongUrlBody = z.object({
  code: z.number().optional(),
  msg: z.string().nullish(),
  message: z.string().nullish(),
  // Read only once `code` says 200: refusals (-462…) put a verification object here instead.
  data: z.unknown().optional(),
});

/** An array for /song/url(/v1); a single object for /song/download/url and some unlock relays. */
const SongUrlData = z.union([z.array(UrlItem), UrlItem]).nullish();

export interface NeteaseSongUrlOptions {
  /** The song id asked for: only its item counts. */
  songId: string;
  /** Used when the item states no expiry. */
  fallbackTtlSec: number;
}

/** What a NetEase song-URL answer says about the audio of the song `options.songId`. */
export function parseNeteaseSongUrl(response: UpstreamResponse, options: NeteaseSongUrlOptions): Parsed<AudioSource> {
  const body = readShape(response, SongUrlBody, 'NetEase song URL answer');
  if (!body.ok) return body;
  const { code } = body.value;
  if (code !== undefined && code !== 200) return neteaseCodeFailure(code, body.value.message ?? body.value.msg, response);
  if (response.status < 200 || response.status >= 300) return statusFailure(response, 'NetEase song URL answer');

  const data = SongUrlData.safeParse(body.value.data);
  if (!data.success) return upstreamError(`unexpected NetEase song URL answer (HTTP ${response.status}): data is not a list of URL items`, false);
  const items = data.data == null ? [] : Array.isArray(data.data) ? data.data : [data.data];
  // Never data[0]: batched answers come in any order (NeteaseCloudMusicApi#1792) and unlock servers add extras.
  const item = items.find((candidate) => candidate.id != null && String(candidate.id) === options.songId);
  if (!item) {
    // Asking again gets the same answer (the server caches it): a relay or unlock-server fault, not the song's.
    const listed = items.map((candidate) => String(candidate.id ?? '?')).join(', ') || 'none';
    return upstreamError(`NetEase song URL answer has no item for song ${options.songId} (items for: ${listed})`, false);
  }

  if (item.freeTrialInfo) {
    // A usable-looking URL that plays only a preview: never broadcast it.
    const { start, end } = item.freeTrialInfo;
    const window = typeof start === 'number' && typeof end === 'number' ? ` (${start}-${end} s)` : '';
    return refused('trial-only', `NetEase offers only a preview clip${window}`);
  }
  if ((item.code != null && item.code !== 200) || !item.url) {
    return refused(
      'no-rights',
      `NetEase gives no URL (item code ${item.code ?? 'none'}): the song needs rights, a VIP login or a mainland IP`,
    );
  }
  const format = audioFormatOf(item.type);
  return playable({
    url: item.url,
    format: format === 'unknown' ? audioFormatOf(urlExtension(item.url)) : format,
    bitrate: item.br,
    size: item.size,
    expiresAt: expiresAt(response.fetchedAt, item.expi, options.fallbackTtlSec),
  });
}
