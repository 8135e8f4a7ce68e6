import { ok } from '../../result.js';
import { AUDIO_FORMATS, type AudioFormat, type AudioSource, type Parsed } from './provider.js';
import { upstreamError } from '../upstream/response.js';

/**
 * The one way a parser says "playable": it refuses anything but an absolute http(s) URL, so a broken
 * upstream (an empty stream host gives QQ relays `undefinedM500….mp3`) never reaches the downloader.
 */
export function playable(audio: {
  url: string;
  format: AudioFormat;
  bitrate?: number | null | undefined;
  size?: number | null | undefined;
  expiresAt: number;
}): Parsed<AudioSource> {
  if (!isAbsoluteHttpUrl(audio.url)) {
    return upstreamError('upstream gave an audio URL that is not an absolute http(s) URL', false);
  }
  return ok({
    url: audio.url,
    format: audio.format,
    ...(positive(audio.bitrate) ? { bitrate: audio.bitrate } : {}),
    ...(positive(audio.size) ? { size: audio.size } : {}),
    expiresAt: audio.expiresAt,
  });
}

export function isAbsoluteHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * When the URL stops working. Upstreams give seconds; 0 or a missing value is "not said", never a TTL
 * of zero (NetEase sends `expi: 0` next to `url: null`), so the provider's conservative default applies.
 */
export function expiresAt(fetchedAt: number, seconds: number | null | undefined, fallbackSeconds: number): number {
  return fetchedAt + (positive(seconds) ? seconds : fallbackSeconds) * 1000;
}

/** `type` field or file extension (`mp3`, `M4A`, `.flac`) to a format; `unknown` when neither says. */
export function audioFormatOf(label: string | null | undefined): AudioFormat {
  const normalised = (label ?? '').toLowerCase().replace(/^\./, '');
  return (AUDIO_FORMATS as readonly string[]).includes(normalised) ? (normalised as AudioFormat) : 'unknown';
}

/** The extension of the last path segment of a URL (`…/x.m4a?vkey=…` → `m4a`). */
export function urlExtension(url: string): string | undefined {
  try {
    return /\.([0-9A-Za-z]+)$/.exec(new URL(url).pathname)?.[1];
  } catch {
    return undefined;
  }
}

function positive(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
