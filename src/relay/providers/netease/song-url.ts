import { z } from 'zod';
import type { AudioSource, Parsed } from '../provider.js';
import { audioFormatOf, expiresAt, playable, urlExtension } from '../audio-source.js';
import {
  isRetryableStatus,
  readShape,
  refused,
  statusFailure,
  upstreamError,
  type UpstreamResponse,
} from '../../upstream/response.js';

/** One item of `/song/url`, `/song/url/v1` or `/song/download/url` (NeteaseCloudMusicApi). */
const UrlItem = z.object({
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
  // An array for /song/url(/v1); a single object for /song/download/url and some unlock relays.
  data: z.union([z.array(UrlItem), UrlItem]).nullish(),
});

/** NetEase's anti-abuse answer to requests from outside the mainland (or too many from one address). */
const CHEATING = -460;

export interface NeteaseSongUrlOptions {
  /** Used when the item states no expiry. */
  fallbackTtlSec: number;
}

/** What a NetEase song-URL answer for ONE song id says about its audio. */
export function parseNeteaseSongUrl(response: UpstreamResponse, options: NeteaseSongUrlOptions): Parsed<AudioSource> {
  const body = readShape(response, SongUrlBody, 'NetEase song URL answer');
  if (!body.ok) return body;
  const { code, data } = body.value;
  const said = body.value.message ?? body.value.msg;

  if (code === CHEATING) {
    // Not the song's fault: do not remember the song as bad (retryable), fix the relay's address.
    return upstreamError(
      "NetEase refused the relay's address (-460 Cheating): run the relay on a mainland IP or set netease.realIp",
      true,
    );
  }
  if (code !== undefined && code !== 200) {
    return upstreamError(
      `NetEase answered code ${code}${said ? ` (${said})` : ''}`,
      isRetryableStatus(code) || isRetryableStatus(response.status),
    );
  }
  if (response.status < 200 || response.status >= 300) return statusFailure(response, 'NetEase song URL answer');

  const item = Array.isArray(data) ? data[0] : data;
  if (!item) return upstreamError('NetEase song URL answer has no item', false);

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
