import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RelaycastError } from '../errors.js';
import type { StationConfig } from '../config/index.js';
import { isFileLocation } from '../location.js';
import { parseM3u } from '../m3u/index.js';
import type { ListEntry } from '../station/list-supplier.js';

/** Largest playlist file read: 100 000 entries with #EXTINF lines fit well within it. */
export const MAX_PLAYLIST_FILE_BYTES = 16 * 1024 * 1024;

/** A station's playlist file that cannot be read or is not a playlist; `missing` when it does not exist. */
export class PlaylistFileError extends RelaycastError {
  readonly path: string;
  readonly missing: boolean;

  constructor(path: string, problem: string, options: { missing?: boolean; cause?: unknown } = {}) {
    super('ERR_PLAYLIST_FILE', `playlist file ${path}: ${problem}`, { cause: options.cause });
    this.path = path;
    this.missing = options.missing === true;
  }
}

/** The songs the station's config lists itself, before those of its playlist file. */
export function configuredSongs(station: StationConfig): ListEntry[] {
  return station.songs.map((entry) => (typeof entry === 'string' ? { location: entry } : { ...entry, location: entry.input }));
}

/** The station's fixed song list: `songs` from the config, then the entries of its playlist file. */
export async function stationSongList(station: StationConfig): Promise<ListEntry[]> {
  const fromConfig = configuredSongs(station);
  if (!station.playlistFile) return fromConfig;
  return [...fromConfig, ...(await readPlaylistFile(station.playlistFile))];
}

/** The entries of an .m3u/.m3u8 file, or a PlaylistFileError saying why there are none to read. */
export async function readPlaylistFile(path: string): Promise<ListEntry[]> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_PLAYLIST_FILE_BYTES) throw new PlaylistFileError(path, `is ${size} bytes, more than a playlist's ${MAX_PLAYLIST_FILE_BYTES}`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof PlaylistFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new PlaylistFileError(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`, { missing: code === 'ENOENT', cause: error });
  }
  // A NUL or undecodable bytes: an audio file or a half-copied binary named .m3u, not a list of songs.
  if (/[\u0000\uFFFD]/.test(text)) throw new PlaylistFileError(path, 'is not a text playlist (binary or not UTF-8)');
  const base = dirname(resolve(path));
  // M3U paths are relative to the playlist file; URLs and song refs are left as they are.
  return parseM3u(text).map((entry) => ({
    location: isFileLocation(entry.location) && !isAbsolute(entry.location) ? resolve(base, entry.location) : entry.location,
    title: entry.title,
    artist: entry.artist,
    durationMs: entry.durationSec === undefined ? undefined : Math.round(entry.durationSec * 1000),
  }));
}
