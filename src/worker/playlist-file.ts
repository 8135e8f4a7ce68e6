import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseM3u } from '../playlist/index.js';
import type { StationConfig } from '../config/index.js';
import type { ListEntry } from '../station/list-supplier.js';

/** The station's fixed song list: `songs` from the config, then the entries of its playlist file. */
export async function stationSongList(station: StationConfig): Promise<ListEntry[]> {
  const fromConfig = station.songs.map((entry) => (typeof entry === 'string' ? { location: entry } : { ...entry, location: entry.input }));
  if (!station.playlistFile) return fromConfig;
  return [...fromConfig, ...(await readPlaylistFile(station.playlistFile))];
}

async function readPlaylistFile(path: string): Promise<ListEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError('playlistFile', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const base = dirname(resolve(path));
  return parseM3u(text).map((entry) => ({
    location: isRelativeFile(entry.location) ? resolve(base, entry.location) : entry.location,
    title: entry.title,
    artist: entry.artist,
    durationMs: entry.durationSec === undefined ? undefined : Math.round(entry.durationSec * 1000),
  }));
}

/** M3U paths are relative to the playlist file; URLs and song refs are left as they are. */
function isRelativeFile(location: string): boolean {
  return !isAbsolute(location) && !/^[a-z][a-z0-9+.-]*:/i.test(location);
}
