import { posix } from 'node:path';
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

/**
 * The song as listeners see it: tags where present, else the file name, read as "Artist - Title"
 * when it has that form (the common way music folders are named).
 */
export function localSongInfo(ref: string, relPath: string, tags: AudioTags): SongInfo {
  const title = clean(tags.title);
  const named = fromFileName(relPath);
  const artist = clean(tags.artist) ?? (title ? undefined : named.artist);
  const album = clean(tags.album);
  return {
    ref,
    title: title ?? named.title,
    artists: artist ? [artist] : [],
    ...(album ? { album } : {}),
    ...(tags.durationMs && tags.durationMs > 0 ? { durationMs: Math.round(tags.durationMs) } : {}),
  };
}

function fromFileName(relPath: string): { title: string; artist?: string } {
  const base = posix.basename(relPath).replace(/\.[^.]+$/, '');
  const separator = base.indexOf(' - ');
  if (separator > 0 && separator < base.length - 3) {
    return { artist: base.slice(0, separator).trim(), title: base.slice(separator + 3).trim() };
  }
  return { title: base };
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
