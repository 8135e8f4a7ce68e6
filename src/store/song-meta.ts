import type { SongMeta } from './types.js';

/** A song as a relay, a provider or a station describes it; the store keeps only its lasting display data. */
export interface DescribedSong {
  readonly title: string;
  readonly artist: string;
  readonly album?: string | null;
  readonly durationMs?: number | null;
}

/** The display data kept for days; an empty album and a duration of 0 are the service not knowing them, like none at all. */
export function songMetaOf(song: DescribedSong): SongMeta {
  return {
    title: song.title,
    artist: song.artist,
    ...(song.album ? { album: song.album } : {}),
    ...(song.durationMs ? { durationMs: song.durationMs } : {}),
  };
}
