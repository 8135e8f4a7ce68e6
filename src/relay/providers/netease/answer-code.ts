import type { Parsed } from '../provider.js';
import { isRetryableStatus, upstreamError, type UpstreamResponse } from '../../upstream/response.js';

/**
 * NetEase answer codes that refuse the relay (its address, its account, its request rate), not the song.
 * They pass after a while or once the relay's setup changes; the song is never to be remembered as bad.
 * Sources: NeteaseCloudMusicApi issues #288 (-460 Cheating), #1658 (-460 网络太拥挤), #1516/#1560/#1806
 * (-462 verification), codezjx/netease-cloud-music-dl#63 (-462 bind a phone), #61 (406 操作频繁),
 * NeteaseCloudMusicApi#1680 (405 操作频繁), #273 and the project's docs (301: login needed, or a login
 * answer cached for 2 minutes), chen310/NeteaseCloudMusicTasks#185 and a public debug report (-447 服务器忙碌:
 * server busy, seen when the request lacks the web Referer).
 */
const REFUSALS_OF_THE_RELAY: ReadonlyMap<number, string> = new Map([
  [-460, "anti-abuse refused the relay's address: run the relay on a mainland IP or set netease.realIp"],
  [-461, 'NetEase asks the relay to verify (captcha): the block usually lifts after a while'],
  [-447, 'NetEase says its server is busy (often a request without the web Referer, or too many of them): try again later'],
  [-462, 'NetEase asks the relay to verify or bind a phone: the block usually lifts after a while, or log the relay in anew'],
  [301, 'NetEase wants a login: check the cookie NeteaseCloudMusicApi runs with (it caches answers for 2 minutes)'],
  [405, 'too many requests from the relay: NetEase throttles it for a minute or so'],
  [406, 'too many requests from the relay: NetEase throttles it for a minute or so'],
]);

/**
 * The failure for a NetEase answer whose `code` is not 200. Anti-abuse and login codes are retryable
 * (the next try may pass, and the song is not at fault); server-side codes (5xx) too; anything else
 * (400 bad parameters, unknown codes) is not, unless the HTTP status says so.
 */
export function neteaseCodeFailure(code: number, said: string | null | undefined, response: UpstreamResponse): Parsed<never> {
  const quoted = said ? ` (${said})` : '';
  const refusal = REFUSALS_OF_THE_RELAY.get(code);
  if (refusal) return upstreamError(`NetEase answered code ${code}${quoted}: ${refusal}`, true);
  return upstreamError(`NetEase answered code ${code}${quoted}`, isRetryableStatus(code) || isRetryableStatus(response.status));
}
