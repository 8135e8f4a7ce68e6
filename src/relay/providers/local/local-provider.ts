import { readFile } from 'node:fs/promises';
import type { Logger } from '../../../log/index.js';
import { parseM3u, type M3uEntry } from '../../../m3u/index.js';
import { ok } from '../../../result.js';
import { NotFoundError, UpstreamError } from '../../errors.js';
import { formatRef } from '../../../refs/index.js';
import { audioFormatOf } from '../audio-source.js';
import type { LookupContext, PlaylistPage, Provider, SongInfo } from '../provider.js';
import type { LibraryFile, MusicLibrary } from './library.js';
import { TagReads } from './tag-reads.js';
import { localSongInfo, type AudioTags, type TagReader } from './tags.js';
import type { WallClock } from '../../../time/index.js';

/** Bounds on one M3U: bigger files are refused, later entries ignored. */
const MAX_M3U_BYTES = 1024 * 1024;
const MAX_M3U_ENTRIES = 10_000;
/** Songs of one playlist page looked up at once; TagReads bounds the readers of all requests together. */
const PAGE_SONGS_AT_ONCE = 4;
/** Tags are not read for a playlist page this close to the deadline: file names are better than a 502. */
const TAG_READ_MARGIN_MS = 300;

export interface LocalProviderOptions {
  library: MusicLibrary;
  tagReader: TagReader;
  /** Where the worker downloads a library file: a signed relay URL, or a file: URL when run in-process. */
  fileUrl: (file: LibraryFile, expiresAt: number) => string;
  fileUrlTtlSec: number;
  now: WallClock;
  logger: Logger;
}

/** Audio files and M3U playlists in a folder on the relay host (`local:<path>`, `local:playlist:<name>`). */
export function createLocalProvider(options: LocalProviderOptions): Provider<'local'> {
  const { library, now, logger } = options;
  const tagReads = new TagReads(options.tagReader, logger);

  async function playlistSong(file: LibraryFile, entry: M3uEntry, context: LookupContext): Promise<SongInfo> {
    const ref = formatRef({ kind: 'song', provider: 'local', path: file.relPath });
    // The playlist's own #EXTINF text spares opening the file.
    if (entry.title) {
      const tags: AudioTags = { title: entry.title, ...(entry.artist ? { artist: entry.artist } : {}) };
      return localSongInfo(ref, file.relPath, entry.durationSec ? { ...tags, durationMs: entry.durationSec * 1000 } : tags);
    }
    const timeLeft = context.deadlineAt - now() > TAG_READ_MARGIN_MS;
    return localSongInfo(ref, file.relPath, timeLeft ? await tagReads.read(file) : {});
  }

  return {
    name: 'local',

    async resolveSong(ref) {
      const songRef = formatRef(ref);
      const file = await library.find(ref.path, 'audio');
      if (!file) throw new NotFoundError(songRef, 'no such audio file in the music library');
      const expiresAt = now() + options.fileUrlTtlSec * 1000;
      return ok({
        song: localSongInfo(songRef, file.relPath, await tagReads.read(file)),
        audio: {
          url: options.fileUrl(file, expiresAt),
          format: audioFormatOf(/\.([^.]+)$/.exec(file.relPath)?.[1]),
          size: file.size,
          expiresAt,
        },
      });
    },

    async getPlaylist(ref, page, context): Promise<PlaylistPage> {
      const playlistRef = formatRef(ref);
      const m3u = await library.findPlaylist(ref.name);
      if (!m3u) throw new NotFoundError(playlistRef, 'no such .m3u8/.m3u playlist in the music library');
      if (m3u.size > MAX_M3U_BYTES) throw new UpstreamError(playlistRef, `playlist file larger than ${MAX_M3U_BYTES} bytes`, false);

      // Entries that are missing, outside the library or not audio are left out, so `total` counts playable ones.
      const entries: Array<{ file: LibraryFile; entry: M3uEntry }> = [];
      let skipped = 0;
      for (const entry of parseM3u(await readFile(m3u.absPath, 'utf8'), MAX_M3U_ENTRIES)) {
        const relPath = await library.entryPath(m3u.relPath, entry.location);
        const file = relPath === undefined ? undefined : await library.find(relPath, 'audio');
        if (file) entries.push({ file, entry });
        else skipped += 1;
      }
      if (skipped > 0) logger.warn({ event: 'relay.local.m3u-skipped', ref: playlistRef, skipped }, 'playlist entries left out');

      const selected = entries.slice(page.offset, page.offset + page.limit);
      const songs = await mapConcurrently(selected, PAGE_SONGS_AT_ONCE, ({ file, entry }) => playlistSong(file, entry, context));
      return { ref: playlistRef, name: ref.name, total: entries.length, ...page, songs };
    },
  };
}

/** `items.map(work)` with at most `limit` calls in flight, results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
