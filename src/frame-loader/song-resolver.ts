import { describeError } from '../errors.js';
import type { Resolver } from '../relay/index.js';
import type { SongLookupOptions, SongResolution } from '../relay-client/index.js';
import { failed, ok } from '../result.js';
import { joinArtists } from '../song-title.js';

/** Where the worker learns a song's metadata and audio URL: the relay over HTTP, or the providers in-process. */
export interface SongResolver {
  resolveSong(ref: string, options?: SongLookupOptions): Promise<SongResolution>;
}

/**
 * The providers running inside the worker (no relay configured), answering in the relay client's terms so
 * the rest of the worker does not care which one it has.
 */
export function embeddedResolver(resolver: Resolver): SongResolver {
  return {
    async resolveSong(ref, options = {}) {
      try {
        const resolution = await resolver.resolveSong(ref, options.match === undefined ? {} : { match: options.match });
        if (!resolution.ok) {
          const { reason, retryable, detail } = resolution.failure;
          return failed({ ref, reason, retryable, message: detail });
        }
        const { song, audio, matchedFrom } = resolution.value;
        return ok({
          ref: song.ref,
          title: song.title,
          artist: joinArtists(song.artists),
          artists: song.artists,
          album: song.album ?? null,
          durationMs: song.durationMs ?? null,
          coverUrl: song.coverUrl ?? null,
          audio: { url: audio.url, format: audio.format, bitrate: audio.bitrate ?? null, expiresAt: audio.expiresAt },
          matchedFrom: matchedFrom ? { ref: matchedFrom.ref, score: matchedFrom.score } : null,
        });
      } catch (error) {
        // A ref the providers refuse (bad syntax, unknown file, provider off) will not get better by asking again.
        return failed({ ref, reason: 'not-found', retryable: false, message: describeError(error) });
      }
    },
  };
}
