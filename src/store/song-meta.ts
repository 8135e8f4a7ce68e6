import { z } from 'zod';
import type { SongMeta } from './types.js';

/** Longer cover "URLs" are not images a music service serves; the bound keeps every history entry small. */
export const MAX_COVER_URL_LENGTH = 2_048;

/** A song as a relay, a provider or a station describes it; the store keeps only its lasting display data. */
export interface DescribedSong {
  readonly title: string;
  readonly artist: string;
  readonly album?: string | null;
  readonly durationMs?: number | null;
  readonly coverUrl?: string | null;
}

/** The display data kept for days; an empty album and a duration of 0 are the service not knowing them, like none at all. */
export function songMetaOf(song: DescribedSong): SongMeta {
  const coverUrl = webCoverUrl(song.coverUrl);
  return {
    title: song.title,
    artist: song.artist,
    ...(song.album ? { album: song.album } : {}),
    ...(song.durationMs ? { durationMs: song.durationMs } : {}),
    ...(coverUrl ? { coverUrl } : {}),
  };
}

/**
 * The cover URL when a web page may load it as an image: absolute http(s) only. Anything else a relay or
 * an older entry holds (`javascript:`, `data:`, a relative path, junk) is no cover at all.
 */
export function webCoverUrl(text: string | null | undefined): string | undefined {
  if (!text || text.length > MAX_COVER_URL_LENGTH || !URL.canParse(text)) return undefined;
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/** A stored cover as read back: one that is not an http(s) URL is dropped, never the song entry holding it. */
export const optionalCoverUrl = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? webCoverUrl(value) : undefined))
  .optional();
