import { hasProviderPrefix } from '../refs/index.js';
import { fileSongName } from '../song-title.js';
import type { Song } from './song.js';
import type { SongSupplier } from './programme.js';

/** A song of a fixed list: where it is, and whatever the config or the playlist file said about it. */
export interface ListEntry {
  readonly location: string;
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly durationMs?: number;
}

export type TagReader = (path: string) => Promise<{ title?: string; artist?: string; album?: string; durationMs?: number }>;

/**
 * Plays a list in order, looping. File tags fill in titles the list does not give; an unreadable file
 * still gets its file name as title and is skipped when it fails to decode, never retried in a spin.
 * The list can be replaced while it plays (its playlist file was edited): see replace().
 */
export class ListSupplier implements SongSupplier {
  private next = 0;
  /** Songs handed out and then dropped unplayed: they come again first. */
  private readonly returned: Song[] = [];
  /** Songs handed out from the current list; one from a replaced list is not handed out again. */
  private handedOut = new WeakSet<Song>();
  /** Where the song last used up (on air, or failed) was: the list goes on after it. */
  private lastConsumed: string | undefined;

  constructor(
    private entries: readonly ListEntry[],
    private readonly readTags: TagReader,
  ) {}

  async nextSong(): Promise<Song | null> {
    const again = this.returned.shift();
    if (again) return again;
    const entry = this.entries[this.next];
    if (!entry) return null;
    this.next = (this.next + 1) % this.entries.length;
    const fromList = this.handedOut; // the list may be replaced while the file's tags are read
    const song = hasProviderPrefix(entry.location) ? this.refSong(entry) : await this.fileSong(entry);
    fromList.add(song);
    return song;
  }

  consumed(song: Song): void {
    this.lastConsumed = song.ref;
  }

  forget(songs: readonly Song[]): void {
    this.returned.unshift(...songs.filter((song) => this.handedOut.has(song)));
  }

  /**
   * Plays `entries` from now on; the caller replans the station so the song prepared from the old list is
   * dropped. The new list goes on after the song on air when it still holds that song, else from its top.
   */
  replace(entries: readonly ListEntry[]): void {
    this.entries = entries;
    this.returned.length = 0;
    this.handedOut = new WeakSet();
    const onAir = entries.findIndex((entry) => entry.location === this.lastConsumed);
    this.next = entries.length === 0 ? 0 : (onAir + 1) % entries.length;
  }

  private refSong(entry: ListEntry): Song {
    return { ref: entry.location, title: entry.title ?? entry.location, artist: entry.artist ?? '', album: entry.album, durationMs: entry.durationMs };
  }

  private async fileSong(entry: ListEntry): Promise<Song> {
    const isUrl = /^https?:\/\//i.test(entry.location);
    const tags = isUrl || (entry.title && entry.artist) ? {} : await this.readTags(entry.location).catch(() => ({}));
    // A URL's query string is no part of its file name.
    const { title, artist } = fileSongName(entry.location.split('?')[0] ?? entry.location, {
      title: entry.title ?? tags.title,
      artist: entry.artist ?? tags.artist,
    });
    return {
      ref: entry.location,
      input: entry.location,
      title,
      artist: artist ?? '',
      album: entry.album ?? tags.album,
      durationMs: entry.durationMs ?? tags.durationMs,
    };
  }
}
