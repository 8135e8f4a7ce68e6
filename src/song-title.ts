import { basename, extname } from 'node:path';

/** A song's name as listeners read it; `artist` is missing when unknown. */
export interface SongName {
  readonly title: string;
  readonly artist?: string | undefined;
}

const SEPARATOR = ' - ';

/** "Artist - Title", the form Icecast shows, M3U `#EXTINF` holds and listeners expect; the title alone without an artist. */
export function displayTitle(song: SongName): string {
  const artist = song.artist?.trim();
  const title = song.title.trim();
  return artist ? `${artist}${SEPARATOR}${title}` : title;
}

/** displayTitle read back: split at the first " - " with text on both sides, else all of it is the title. */
export function splitDisplayTitle(text: string): SongName {
  const display = text.trim();
  const at = display.indexOf(SEPARATOR);
  if (at <= 0) return { title: display };
  return { artist: display.slice(0, at).trim(), title: display.slice(at + SEPARATOR.length).trim() };
}

/**
 * A local file's song name: what is known (tags, the playlist), else its file name read as "Artist - Title",
 * the common way music folders are named. A known title never takes an artist guessed from the file name.
 */
export function fileSongName(path: string, known: Partial<SongName> = {}): SongName {
  if (known.title !== undefined) return { title: known.title, artist: known.artist };
  const file = basename(path);
  const named = splitDisplayTitle(file.slice(0, file.length - extname(file).length) || path);
  return { title: named.title, artist: known.artist ?? named.artist };
}

/** The display form of several artists, as the relay API documents it. */
export function joinArtists(artists: readonly string[]): string {
  return artists.join(', ');
}
