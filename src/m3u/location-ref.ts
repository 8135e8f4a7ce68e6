import { posix } from 'node:path';
import { hasProviderPrefix, parseSongRef, RefSyntaxError } from '../refs/index.js';
import { failed, ok, type Result } from '../result.js';

/** A song ref, or why the location names none. */
export type LocationResult = Result<string, string>;
/** A path inside the music folder, or why the location names none. */
export type LibraryPathResult = Result<string, string>;

export interface LocationOptions {
  /** Absolute paths under this folder become `local:<path relative to it>`. */
  readonly localRoot?: string;
}

export interface LibraryPlace {
  /** The music folder as absolute paths (its real path, the path as configured…): absolute locations must lie under one. */
  readonly roots: readonly string[];
  /** Where relative locations count from, relative to the music folder: the M3U's own folder; the top when not given. */
  readonly folder?: string;
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const WINDOWS_DRIVE = /^[A-Za-z]:\//;

/**
 * What an M3U location means to relaycast: a song ref as written; a file path as a song of the relay's
 * music folder (`local:<path>`, see libraryPathOf, with absolute paths only under `localRoot`).
 */
export function locationToRef(location: string, options: LocationOptions = {}): LocationResult {
  if (hasProviderPrefix(location)) return songRef(location);
  const place = libraryPathOf(location, { roots: options.localRoot === undefined ? [] : [options.localRoot] });
  return place.ok ? songRef(`local:${place.value}`) : place;
}

/**
 * The `/`-separated path inside the music folder that a file location names, or why it names none. URLs are
 * refused: the relay, not a playlist, decides where audio comes from.
 */
export function libraryPathOf(location: string, place: LibraryPlace): LibraryPathResult {
  if (URL_SCHEME.test(location) || location.startsWith('file:')) {
    return failed('URLs are not supported: use song refs or paths relative to the relay music folder');
  }
  // Playlists written on Windows use backslashes.
  const path = location.replace(/\\/g, '/');
  let inside: string;
  if (path.startsWith('/') || WINDOWS_DRIVE.test(path)) {
    const root = place.roots.map((folder) => folder.replace(/\\/g, '/').replace(/\/+$/, '')).find((folder) => path.startsWith(`${folder}/`));
    if (root === undefined) {
      return failed('absolute path outside the music folder: give --local-root <folder> to import paths under it');
    }
    inside = path.slice(root.length + 1);
  } else {
    inside = posix.join(place.folder ?? '', path);
  }
  const normalized = posix.normalize(inside);
  if (normalized.startsWith('../') || normalized === '..') return failed('the path leaves the music folder (..)');
  return ok(normalized);
}

function songRef(ref: string): LocationResult {
  try {
    parseSongRef(ref);
    return ok(ref);
  } catch (error) {
    if (error instanceof RefSyntaxError) return failed(error.message);
    throw error;
  }
}
