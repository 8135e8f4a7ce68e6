import { fileSongName } from '../../../song-title.js';
import type { SongInfo } from '../provider.js';

/** What a file's tags say; every field may be missing. */
export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  durationMs?: number;
}

/**
 * Reads the tags of the file at an absolute path: `probeTags` of src/audio (ffprobe) unless the caller
 * injects another. Throwing is fine: the song is then named after its file.
 */
export type TagReader = (absPath: string) => Promise<AudioTags>;

/** A reader that starts no process and knows nothing: songs are named after their files. */
export const noTags: TagReader = async () => ({});

/** The song as listeners see it: tags where present, else the file name (see fileSongName). */
export function localSongInfo(ref: string, relPath: string, tags: AudioTags): SongInfo {
  const { title, artist } = fileSongName(relPath, { title: clean(tags.title), artist: clean(tags.artist) });
  const album = clean(tags.album);
  return {
    ref,
    title,
    artists: artist ? [artist] : [],
    ...(album ? { album } : {}),
    ...(tags.durationMs && tags.durationMs > 0 ? { durationMs: Math.round(tags.durationMs) } : {}),
  };
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
