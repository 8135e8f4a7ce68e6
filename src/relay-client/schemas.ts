import { z } from 'zod';
import { joinArtists } from '../song-title.js';

/*
 * Shapes of the relay's answers (src/relay, GET /v1/songs/<ref> and /v1/playlists/<ref>). Strict on
 * what the streamer needs (ref, title, audio URL), lenient on display extras that may be null or absent.
 */

const httpUrl = z
  .string()
  .min(1)
  .refine((text) => /^https?:\/\//i.test(text), 'expected an http(s) URL');

/** Epoch ms, or an ISO 8601 date: both are normalised to epoch ms. */
const instant = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch ms or an ISO date' });
    return z.NEVER;
  }
  return ms;
});

const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const optionalDuration = z
  .number()
  .nonnegative()
  .nullish()
  .transform((value) => value ?? null);

/** `artist` is the display form; when the relay sends only `artists`, join them the way the relay would. */
function withArtist<T extends { artist: string; artists: string[] }>(song: T): T {
  return song.artist ? song : { ...song, artist: joinArtists(song.artists) };
}

export const songResponseSchema = z.object({
  ref: z.string().min(1),
  title: z.string(),
  artists: z.array(z.string()).nullish().transform((value) => value ?? []),
  artist: z.string().nullish().transform((value) => value ?? ''),
  album: optionalText,
  durationMs: optionalDuration,
  coverUrl: optionalText,
  audio: z.object({
    url: httpUrl,
    format: z.string().min(1),
    bitrate: z.number().nullish().transform((value) => value ?? null),
    expiresAt: instant,
  }),
  /** The song actually played when the relay found the asked one on another provider; null otherwise. */
  matchedFrom: z
    .object({ ref: z.string().min(1), score: z.number() })
    .nullish()
    .transform((value) => value ?? null),
}).transform(withArtist);

export const errorResponseSchema = z.object({
  ref: z.string().nullish(),
  error: z.object({
    reason: z.string().min(1),
    retryable: z.boolean().nullish().transform((value) => value ?? false),
    message: z.string().nullish().transform((value) => value ?? ''),
  }),
});

export const playlistSongSchema = z.object({
  ref: z.string().min(1),
  title: z.string(),
  artist: z.string().nullish().transform((value) => value ?? ''),
  artists: z.array(z.string()).nullish().transform((value) => value ?? []),
  durationMs: optionalDuration,
}).transform(withArtist);

export const playlistPageSchema = z.object({
  ref: z.string().min(1),
  name: z.string().nullish().transform((value) => value ?? ''),
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative(),
  songs: z.array(playlistSongSchema),
});

export type SongResponse = z.infer<typeof songResponseSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type PlaylistSong = z.infer<typeof playlistSongSchema>;
export type PlaylistPage = z.infer<typeof playlistPageSchema>;
