import type { PlaylistRef, SongRef } from '../../refs/index.js';
import type { Result } from '../../result.js';

/** Why a song cannot be broadcast. `upstream-error` means the relay could not find out (try again later). */
export const UNPLAYABLE_REASONS = ['no-rights', 'trial-only', 'delisted', 'region-blocked', 'upstream-error'] as const;
export type UnplayableReason = (typeof UNPLAYABLE_REASONS)[number];

/**
 * Container/codec of the audio behind a URL, as far as the upstream tells. `unknown` is allowed because
 * ffmpeg probes the bytes anyway; refusing a playable song over a missing label would be worse.
 */
export const AUDIO_FORMATS = ['mp3', 'm4a', 'aac', 'flac', 'ogg', 'opus', 'wav', 'unknown'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** What listeners see of a song. `ref` is the canonical ref (`qq:<songmid>`, `netease:<id>`, `local:<path>`). */
export interface SongInfo {
  ref: string;
  title: string;
  /** All credited artists, in the upstream's order. */
  artists: string[];
  album?: string;
  durationMs?: number;
  coverUrl?: string;
}

/** A short-lived audio URL the worker downloads itself. */
export interface AudioSource {
  /** Absolute http(s) URL, byte-exact as the upstream gave it (signed query strings break if re-encoded). */
  url: string;
  format: AudioFormat;
  /** Bits per second, when the upstream says. */
  bitrate?: number;
  /** Bytes, when the upstream says. */
  size?: number;
  /** Epoch ms after which the URL must not be used (it answers 403 then). */
  expiresAt: number;
}

/** "Not playable" is normal data, not an exception: the station skips the song and remembers why. */
export interface Unplayable {
  reason: UnplayableReason;
  /** True when asking again later may succeed (upstream hiccup, anti-abuse block); false for rights/delisting. */
  retryable: boolean;
  /** One line for logs and operators. Never contains signed URLs or secrets. */
  detail: string;
}

/** What a parser makes of an upstream answer: the value, or why the song cannot be played from it. */
export type Parsed<T> = Result<T, Unplayable>;

/** A song to broadcast: what listeners see of it and where its audio is. */
export interface PlayableSong {
  song: SongInfo;
  audio: AudioSource;
  /** Set when the audio is the same recording found on another provider (the asked one could not play it). */
  matchedFrom?: MatchedFrom;
}

/** The song whose audio is actually played, and how confident the match was (0..1). */
export interface MatchedFrom {
  ref: string;
  score: number;
}

/** A song's lookup: playable, or why not (with the song's metadata when the upstream gave it anyway). */
export type Resolution = Result<PlayableSong, Unplayable & { song?: SongInfo }>;

/** The word logs use for a resolution (`outcome` field), which operators grep for. */
export function resolutionOutcome(resolution: Resolution): 'playable' | 'unplayable' {
  return resolution.ok ? 'playable' : 'unplayable';
}

export interface PageRequest {
  offset: number;
  limit: number;
}

export interface PlaylistPage {
  ref: string;
  name: string;
  /** Number of songs in the whole playlist (not in this page). */
  total: number;
  offset: number;
  limit: number;
  /** The page's songs, in playlist order. */
  songs: SongInfo[];
}

/** Per-lookup context: every upstream request of one lookup, retries included, must finish by `deadlineAt`. */
export interface LookupContext {
  /** Epoch ms. */
  deadlineAt: number;
}

export type ProviderName = SongRef['provider'];

/** One music source. Providers are small and isolated: the live APIs change often. */
export interface Provider<P extends ProviderName = ProviderName> {
  readonly name: P;
  /** Never throws for upstream trouble (that is an `upstream-error` resolution); may throw NotFoundError. */
  resolveSong(ref: Extract<SongRef, { provider: P }>, context: LookupContext): Promise<Resolution>;
  /** Throws NotFoundError or UpstreamError when there is no page to give. */
  getPlaylist(ref: Extract<PlaylistRef, { provider: P }>, page: PageRequest, context: LookupContext): Promise<PlaylistPage>;
}
