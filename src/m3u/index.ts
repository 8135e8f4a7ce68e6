/** M3U playlists: the one reader of the worker's playlist files, the relay's `local:playlist:` and the CLI's import, and the CLI's export. */
export { parseM3u, MAX_M3U_ENTRIES, type M3uEntry } from './parse.js';
export { writeM3u, type M3uSong } from './write.js';
export { locationToRef, libraryPathOf, type LocationOptions, type LocationResult, type LibraryPlace, type LibraryPathResult } from './location-ref.js';
