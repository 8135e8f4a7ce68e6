import { z } from 'zod';
import type { AudioSource, Parsed } from '../provider.js';
import { expiresAt, playable } from '../audio-source.js';
import { readShape, refused, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { describeQqFile } from './file-name.js';
import { qqMusicApiFailure } from './song-detail.js';

/**
 * Song-URL answers of the public QQ relay projects. Neither states an expiry, so the caller's
 * conservative TTL applies; URLs pass through byte-exact (some builds give bare-IP hosts: only a probe
 * of the URL can tell whether those answer).
 */
export interface WrapperUrlOptions {
  fallbackTtlSec: number;
}

const QqMusicApiUrls = z.object({
  result: z.number(),
  errMsg: z.string().nullish(),
  /** songmid → URL; a songmid without a URL is simply missing. */
  data: z.record(z.string(), z.string().nullish()).nullish(),
});

/** jsososo/QQMusicApi `GET /song/urls?id=<mid>`. */
export function parseQqMusicApiSongUrls(response: UpstreamResponse, songmid: string, options: WrapperUrlOptions): Parsed<AudioSource> {
  const body = readShape(response, QqMusicApiUrls, 'QQMusicApi song URLs');
  if (!body.ok) return body;
  if (body.value.result !== 100) return qqMusicApiFailure(body.value);
  const url = body.value.data?.[songmid];
  if (!url) return refused('no-rights', 'QQMusicApi has no URL for the song');
  return fromUrl(url, response.fetchedAt, options);
}

const Rain120MusicPlay = z.object({
  data: z.object({
    playUrl: z.record(
      z.string(),
      // `error` is false when there is a URL, a message (暂无播放链接: "no play link yet") when not.
      z.object({ url: z.string().nullish(), error: z.union([z.boolean(), z.string()]).nullish() }),
    ),
  }),
});

/** Rain120/qq-music-api `GET /getMusicPlay?songmid=<mid>`. */
export function parseRain120MusicPlay(response: UpstreamResponse, songmid: string, options: WrapperUrlOptions): Parsed<AudioSource> {
  const body = readShape(response, Rain120MusicPlay, 'qq-music-api play URL');
  if (!body.ok) return body;
  const entry = body.value.data.playUrl[songmid];
  if (!entry) return upstreamError('qq-music-api answer does not mention the song', true);
  if (!entry.url || entry.error) {
    return refused('no-rights', `qq-music-api has no URL for the song${typeof entry.error === 'string' ? ` (${entry.error})` : ''}`);
  }
  return fromUrl(entry.url, response.fetchedAt, options);
}

function fromUrl(url: string, fetchedAt: number, options: WrapperUrlOptions): Parsed<AudioSource> {
  const fileName = url.split('?')[0]?.split('/').pop() ?? '';
  return playable({ url, ...describeQqFile(fileName), expiresAt: expiresAt(fetchedAt, undefined, options.fallbackTtlSec) });
}
