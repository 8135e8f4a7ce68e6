import type { Result } from '../result.js';
import type { PlaylistSong } from './schemas.js';

export interface RelayTimeouts {
  /** DNS lookup plus TCP (and TLS) connect. */
  readonly connectMs: number;
  /** From the request sent to the response headers. */
  readonly responseMs: number;
  /** The whole attempt, body included. */
  readonly totalMs: number;
  /**
   * A whole lookup: every attempt and the waits between them. Caps the others, so a slow relay costs a
   * station at most this, whatever the per-attempt timeouts say.
   */
  readonly lookupMs: number;
}

export interface AudioSource {
  readonly url: string;
  readonly format: string;
  /** Bits per second as the relay reports it, or null when unknown. */
  readonly bitrate: number | null;
  /** Epoch ms after which the URL stops working. */
  readonly expiresAt: number;
}

export interface PlayableSong {
  readonly ref: string;
  readonly title: string;
  /** Display form of the artists ("A / B"). */
  readonly artist: string;
  readonly artists: readonly string[];
  readonly album: string | null;
  readonly durationMs: number | null;
  readonly coverUrl: string | null;
  readonly audio: AudioSource;
  /**
   * Set when the song's own provider refused it and the relay plays the same recording from another one:
   * `ref` is the song whose audio this is, `score` how sure the match was (0..1). The metadata stays the
   * asked song's. Null for the song's own audio.
   */
  readonly matchedFrom: { readonly ref: string; readonly score: number } | null;
}

export interface SongLookupOptions {
  /** False asks the relay not to play a refused song from another provider (`?match=0`); default: the relay's config. */
  readonly match?: boolean;
}

/** Why the relay will not hand out a song's audio. */
export interface UnplayableSong {
  readonly ref: string;
  /** The relay's machine reason, e.g. `no-rights`, `not-found`, `trial-only`. */
  readonly reason: string;
  /** True when asking again later may succeed. */
  readonly retryable: boolean;
  readonly message: string;
}

/** "Unplayable" is normal data (no rights, delisted, preview only...), not an error. */
export type SongResolution = Result<PlayableSong, UnplayableSong>;

export interface RelayPlaylist {
  readonly ref: string;
  readonly name: string;
  readonly total: number;
  readonly songs: readonly PlaylistSong[];
  /** True when the playlist has more than MAX_PLAYLIST_SONGS songs and the rest was not fetched. */
  readonly truncated: boolean;
}

export interface ListProgress {
  readonly fetched: number;
  readonly total: number;
}
