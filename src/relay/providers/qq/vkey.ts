import { z } from 'zod';
import type { AudioSource, Parsed } from '../provider.js';
import { expiresAt, isAbsoluteHttpUrl, playable } from '../audio-source.js';
import { refused, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { describeQqFile } from './file-name.js';
import { findMusicuModule } from './musicu-answer.js';

const VkeyModule = z.object({
  code: z.number().optional(),
  data: z.object({
    /** Non-zero when the call failed as a whole, e.g. 104009 with msg `…;invalidq;` (the login key was refused). */
    retcode: z.number().nullish(),
    /** Seconds the vkey stays valid. */
    expiration: z.number().nullish(),
    /** Stream hosts; the audio URL is sip + purl. */
    sip: z.array(z.string()).nullish(),
    midurlinfo: z.array(
      z.object({
        filename: z.string().nullish(),
        /** Path and signed query, relative to a sip. Empty when the song is unavailable. */
        purl: z.string().nullish(),
        result: z.number().nullish(),
      }),
    ),
  }),
});

/**
 * midurlinfo[].result codes for an empty purl that state a lasting reason. 104004's meaning is inferred,
 * not documented. An empty purl under any other result (0 included: QQ gives that when it refuses the
 * caller's address or login key, e.g. retcode 104009) says nothing about the song.
 *
 * Mapping (the relay answers 422 only for reasons that will not change soon, see API.md):
 * - purl empty, result 104003 → `no-rights`, retryable false (422)
 * - purl empty, result 104004 → `delisted`, retryable false (422)
 * - purl empty, any other result → `upstream-error`, retryable true (502)
 * - purl given, no usable stream host and no `fallbackSip` → `upstream-error`, retryable true (502)
 */
const NO_RIGHTS = 104003;
const DELISTED = 104004;

export interface QqVkeyOptions {
  /** Stream host used when the answer lists none (`sip: []`), e.g. `http://isure.stream.qqmusic.qq.com/`. */
  fallbackSip?: string | undefined;
  /** Used when the answer states no expiration. */
  fallbackTtlSec: number;
}

/** What a `vkey.GetVkeyServer`/`CgiGetVkey` answer for ONE songmid says about its audio. */
export function parseQqVkey(response: UpstreamResponse, options: QqVkeyOptions): Parsed<AudioSource> {
  const module = findMusicuModule(response, VkeyModule, 'vkey answer');
  if (!module.ok) return module;
  const { code, data } = module.value;
  if (code !== undefined && code !== 0) return upstreamError(`QQ vkey module answered code ${code}`, true);
  const info = data.midurlinfo[0];
  if (!info) return upstreamError('QQ vkey answer lists no file', true);

  if (!info.purl) {
    if (info.result === DELISTED) return refused('delisted', `QQ has withdrawn the song (result ${DELISTED})`);
    if (info.result === NO_RIGHTS) return refused('no-rights', `QQ gives no URL without rights to the song (result ${NO_RIGHTS})`);
    // No stated reason: QQ does this now and then (and to callers it does not trust), so another try may succeed.
    const retcode = data.retcode ? `, retcode ${data.retcode}` : '';
    return upstreamError(`QQ gave no URL without saying why (result ${info.result ?? 'none'}${retcode})`, true);
  }
  const host = pickStreamHost(data.sip ?? []) ?? options.fallbackSip;
  if (!host) return noStreamHost();
  return playable({
    url: qqStreamUrl(host, info.purl),
    ...describeQqFile(info.filename || info.purl),
    expiresAt: expiresAt(response.fetchedAt, data.expiration, options.fallbackTtlSec),
  });
}

/** A stream host and a purl (`C400….m4a?guid=…&vkey=…`) joined into the audio URL, byte-exact. */
export function qqStreamUrl(host: string, purl: string): string {
  return `${host.endsWith('/') ? host : `${host}/`}${purl}`;
}

/**
 * QQ answered a purl but listed no stream host (`sip: []`). The same song may get one on the next call,
 * and an operator can name a known host: both say "not now", never "not this song".
 */
export function noStreamHost(): Parsed<never> {
  return upstreamError('QQ listed no stream host (sip is empty); set qq.fallbackSip to use a known one', true);
}

/**
 * The first stream host that is not `http://ws…`, else the first one: what the public relays do
 * (the recorded playable answer lists ws.stream first and isure.stream second).
 */
export function pickStreamHost(sips: readonly string[]): string | undefined {
  const usable = sips.filter(isAbsoluteHttpUrl);
  return usable.find((sip) => !sip.startsWith('http://ws')) ?? usable[0];
}
