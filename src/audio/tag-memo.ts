import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SongTags } from './song-tags.js';

/** Files whose tags a worker remembers: a few hundred bytes each, far more than its stations' lists hold at once. */
export const TAG_MEMO_ENTRIES = 4096;

type ReadTags = (path: string) => Promise<SongTags>;

/**
 * Remembers the tags of files already read, while each file stays the same (same size and modification
 * time), and shares one read between callers asking about the same file at once. Every tag read is an
 * ffprobe child, and spawning one blocks the event loop for a while (measured: 200 stations starting on
 * one file spent 65 of 87 s in spawn under load, and their mounts dropped): stations that play the same
 * files, or play them again, then pay for one read. A file that cannot be read is not remembered.
 */
export function memoizeTags(read: ReadTags, maxEntries = TAG_MEMO_ENTRIES): ReadTags {
  const memo = new Map<string, Promise<SongTags>>();
  return async (path) => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return read(path); // its own error message, from the reader
    // Absolute: a list names a file relative to the working directory, a transcode by its absolute path.
    const key = `${info.size}:${info.mtimeMs}:${resolve(path)}`;
    const known = memo.get(key);
    if (known) {
      // Most recently used last: the first entry is the one to forget.
      memo.delete(key);
      memo.set(key, known);
      return known;
    }
    const reading = read(path);
    memo.set(key, reading);
    if (memo.size > maxEntries) memo.delete(memo.keys().next().value!);
    reading.catch(() => memo.delete(key));
    return reading;
  };
}
