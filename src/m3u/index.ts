/**
 * M3U playlists: the one reader of the worker's playlist files, the relay's `local:playlist:` and the CLI's
 * import, the CLI's export, and what a location in them means (a ref, a file, a song of the music folder).
 */
export { parseM3u, MAX_M3U_ENTRIES, type M3uEntry } from './parse.js';
export { writeM3u, type M3uSong } from './write.js';
export {
  locationToRef,
  libraryPathOf,
  type LocationOptions,
  type LocationResult,
  type LibraryPlace,
  type LibraryPathResult,
} from './location-ref.js';
