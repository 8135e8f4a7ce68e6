import type { StreamFormat } from '../audio/index.js';

export type PlayMode = 'order' | 'shuffle';

/** What an admin sets on a station. */
export interface StationSettings {
  /** Icecast mount, e.g. `/radio.mp3`; unique across stations. */
  readonly mount: string;
  /** Name of the stored playlist the station plays. */
  readonly playlist: string;
  readonly mode: PlayMode;
  /** Start over after the last song (order) or the last song of a round (shuffle). */
  readonly repeat: boolean;
  /**
   * When the song's own provider refuses it (no rights, delisted…), let the relay play the same recording
   * from the other provider. Off asks the relay with `?match=0`. Absent in older station hashes: on.
   */
  readonly match: boolean;
  /**
   * Loudness target in LUFS each song is brought to (by whole 1.5 dB steps, never past -1 dBTP), or null
   * for off: songs play at their own level. Absent in older station hashes: the default, -16.
   */
  readonly loudness: number | null;
  /** Seconds songs overlap at each join, 0 for gapless joins. Absent in older station hashes: 0. */
  readonly crossfade: number;
  readonly format: StreamFormat;
  readonly iceName: string;
  readonly iceDescription: string;
  readonly iceGenre: string;
}

export interface Station extends StationSettings {
  readonly name: string;
}

/** A partial change of station settings; the format may change one field at a time. */
export type StationUpdate = Partial<Omit<StationSettings, 'format'>> & { readonly format?: Partial<StreamFormat> };

/** What create needs: mount and playlist; everything else has a default. */
export type NewStation = StationUpdate & Pick<StationSettings, 'mount' | 'playlist'>;

export interface PlaylistSummary {
  readonly name: string;
  readonly length: number;
}

/** Display data of a song, cached for days so listings need not ask the relay. */
export interface SongMeta {
  readonly title: string;
  readonly artist: string;
  readonly album?: string;
  readonly durationMs?: number;
  /** An http(s) image of the song's cover on its music service; absent for local songs and in older entries. */
  readonly coverUrl?: string;
}

/** A resolved, expiring audio URL (the relay's `audio` object; `expiresAt` in epoch ms). */
export interface AudioUrl {
  readonly url: string;
  readonly format: string;
  /** Bits per second, as the relay reports it; null when unknown. */
  readonly bitrate: number | null;
  readonly expiresAt: number;
  /**
   * The ref whose audio this is when the relay matched the song on another provider; absent for the song's
   * own audio (and in entries written before matching existed, which were all the song's own).
   */
  readonly matchedFrom?: string;
  /** How sure the relay was of that match (0..1); present with `matchedFrom`. */
  readonly matchScore?: number;
}

export interface Unplayable {
  readonly reason: string;
  /** Epoch ms when the song was found unplayable. */
  readonly at: number;
}

export type SongSource = 'queue' | 'playlist';

/** What takeNextSong hands the worker. `position` is 1-based in its source (the queue head is 1). */
export interface NextSong {
  readonly ref: string;
  readonly source: SongSource;
  readonly position: number;
}

/** The song on air, and (the same shape) an entry of the play history. */
export interface PlayedSong {
  readonly ref: string;
  readonly title: string;
  readonly artist: string;
  readonly album?: string;
  /** Epoch ms when the song went on air. */
  readonly startedAt: number;
  readonly durationMs?: number;
  /** As in SongMeta: absent when the song has no cover, and in entries recorded before covers were kept. */
  readonly coverUrl?: string;
  readonly source: SongSource;
  /** 1-based position in the source it came from. */
  readonly position: number;
}

/** Half-open slice of a list: 0-based `start`, `end` excluded (mpc's --range START:END). */
export interface ListRange {
  readonly start: number;
  readonly end?: number;
}

export interface CacheCounters {
  readonly hits: number;
  readonly misses: number;
}

/** The loudness of the songs workers measured (song-loudness.ts); the figures are null while none is. */
export interface LoudnessSummary {
  /** Songs with a loudness record. */
  readonly measured: number;
  /** Integrated loudness, LUFS: the quietest, the median and the loudest song. */
  readonly minLufs: number | null;
  readonly medianLufs: number | null;
  readonly maxLufs: number | null;
  /** The highest true peak of them, dBTP: a song peaking above -1 dBTP is never raised towards a target. */
  readonly maxTruePeakDb: number | null;
}

export interface CacheStats {
  readonly songMeta: CacheCounters & { readonly entries: number };
  readonly audioUrl: CacheCounters & { readonly entries: number };
  readonly unplayable: CacheCounters & { readonly entries: number };
  readonly loudness: LoudnessSummary;
}
