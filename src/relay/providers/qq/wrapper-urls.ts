import { z } from 'zod';
import type { AudioSource, Parsed } from '../provider.js';
import { expiresAt, playable } from '../audio-source.js';
import { readShape, refused, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { describeQqFile } from './file-name.js';
import { qqMusicApiFailure } from './song-detail.js';
import { noStreamHost, qqStreamUrl } from './vkey.js';

/**
 * Song-URL answers of the public QQ relay projects. Neither states an expiry, so the caller's
 * conservative TTL applies; URLs pass through byte-exact (some builds give bare-IP hosts: only a probe
 * of the URL can tell whether those answer).
 */
export interface WrapperUrlOptions {
  fallbackTtlSec: number;
  /** The same `qq.fallbackSip` musicu.fcg uses when QQ lists no stream host. */
  fallbackSip?: string | undefined;
}

/**
 * The wrappers build `sip[k] + purl` in JavaScript; when QQ lists no stream host that comes out as
 * `undefinedC400….m4a?…`. It is the answer musicu.fcg gives with `sip: []`, so it gets the same outcome:
 * the purl on the configured fallback host, else a retryable upstream-error (see vkey.ts).
 */
const NO_HOST_PREFIX = /^(?:undefined|null)(?=[A-Z]\d{3}[0-9A-Za-z]+\.[0-9A-Za-z]+(?:\?|$))/;

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

function fromUrl(given: string, fetchedAt: number, options: WrapperUrlOptions): Parsed<AudioSource> {
  let url = given;
  const noHost = NO_HOST_PREFIX.exec(given);
  if (noHost) {
    if (!options.fallbackSip) return noStreamHost();
    url = qqStreamUrl(options.fallbackSip, given.slice(noHost[0].length));
  }
  const fileName = url.split('?')[0]?.split('/').pop() ?? '';
  return playable({ url, ...describeQqFile(fileName), expiresAt: expiresAt(fetchedAt, undefined, options.fallbackTtlSec) });
}
