import { posix } from 'node:path';
import { isSongRef, parseSongRef } from '../../store/index.js';

/** One song line of an M3U file, with the `#EXTINF` line before it if there was one. */
export interface M3uEntry {
  /** 1-based line number of the location line, for messages. */
  readonly line: number;
  readonly location: string;
  readonly extinf?: { readonly durationSeconds: number | null; readonly display: string };
}

/**
 * Reads `.m3u` / `.m3u8` text (UTF-8; a BOM and CRLF line ends are accepted). `#EXTM3U` and other
 * comment lines are skipped; `#EXTINF:<seconds>,<display>` belongs to the next location line.
 */
export function parseM3u(text: string): M3uEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const entries: M3uEntry[] = [];
  let extinf: M3uEntry['extinf'];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)?[^,]*,(.*)$/i.exec(line);
      if (match) {
        const seconds = match[1] === undefined ? null : Number(match[1]);
        extinf = { durationSeconds: seconds !== null && seconds >= 0 ? seconds : null, display: (match[2] ?? '').trim() };
      }
      return;
    }
    entries.push({ line: i + 1, location: line, ...(extinf && { extinf }) });
    extinf = undefined;
  });
  return entries;
}

export type LocationResult = { readonly ref: string } | { readonly problem: string };

export interface LocationOptions {
  /** Absolute paths under this folder become `local:<path relative to it>`. */
  readonly localRoot?: string;
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const REF_PREFIX = /^(qq|netease|local):/;

/**
 * What an M3U location means to relaycast: a song ref as written; a relative file path as a song of the
 * relay's music folder (`local:<path>`); an absolute path only under --local-root. URLs are refused: the
 * relay, not the streamer, decides where audio comes from.
 */
export function locationToRef(location: string, options: LocationOptions = {}): LocationResult {
  if (isSongRef(location)) return { ref: location };
  if (REF_PREFIX.test(location)) {
    try {
      parseSongRef(location);
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }
  if (URL_SCHEME.test(location) || location.startsWith('file:')) {
    return { problem: 'URLs are not supported: use song refs or paths relative to the relay music folder' };
  }
  // Playlists written on Windows use backslashes.
  let path = location.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[A-Za-z]:\//.test(path)) {
    const root = options.localRoot?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!root || !path.startsWith(`${root}/`)) {
      return { problem: `absolute path outside the music folder: give --local-root <folder> to import paths under it` };
    }
    path = path.slice(root.length + 1);
  }
  const normalized = posix.normalize(path);
  if (normalized.startsWith('../') || normalized === '..') return { problem: 'the path leaves the music folder (..)' };
  const ref = `local:${normalized}`;
  try {
    return { ref: parseSongRef(ref).ref };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

export interface M3uSong {
  readonly ref: string;
  readonly title?: string;
  readonly artist?: string;
  readonly durationMs?: number;
}

/** Titles come from music services: keep them on their line. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();

/** `#EXTM3U`, then per song `#EXTINF:<seconds>,<artist> - <title>` (when known) and the ref. */
export function writeM3u(songs: readonly M3uSong[]): string {
  const lines = ['#EXTM3U'];
  for (const song of songs) {
    if (song.title !== undefined) {
      const seconds = song.durationMs === undefined ? -1 : Math.round(song.durationMs / 1000);
      const artist = oneLine(song.artist ?? '');
      const title = oneLine(song.title);
      lines.push(`#EXTINF:${seconds},${artist ? `${artist} - ${title}` : title}`);
    }
    lines.push(song.ref);
  }
  return `${lines.join('\n')}\n`;
}
