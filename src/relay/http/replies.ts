import type { ServerResponse } from 'node:http';
import type { PlaylistPage, Resolution, SongInfo, UnplayableReason } from '../providers/provider.js';
import { joinArtists } from '../../song-title.js';

/** Reasons in error bodies: the unplayable reasons plus the relay's own. See API.md. */
export type ErrorReason =
  | UnplayableReason
  | 'bad-ref'
  | 'bad-request'
  | 'not-found'
  | 'unauthorized'
  | 'rate-limited'
  | 'provider-disabled'
  | 'method-not-allowed'
  | 'body-not-accepted'
  | 'internal';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function sendJson(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // Answers carry short-lived signed URLs: nothing on the way may keep them.
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(text);
}

export function errorReply(
  status: number,
  reason: ErrorReason,
  message: string,
  extra: { retryable?: boolean; ref?: string; headers?: Record<string, string> } = {},
): Reply {
  return {
    status,
    body: { ...(extra.ref ? { ref: extra.ref } : {}), error: { reason, retryable: extra.retryable ?? false, message } },
    ...(extra.headers ? { headers: extra.headers } : {}),
  };
}

/** A song as the API shows it: absent fields are null, `artist` is the artists joined for display. */
export function songJson(song: SongInfo) {
  return {
    ref: song.ref,
    title: song.title,
    artists: song.artists,
    artist: joinArtists(song.artists),
    album: song.album ?? null,
    durationMs: song.durationMs ?? null,
    coverUrl: song.coverUrl ?? null,
  };
}

/** 200 playable; 422 a definite "not playable"; 502 when the upstream could not tell. */
export function resolutionReply(ref: string, resolution: Resolution): Reply {
  if (resolution.ok) {
    const { song, audio, matchedFrom } = resolution.value;
    return {
      status: 200,
      body: {
        ...songJson(song),
        audio: {
          url: audio.url,
          format: audio.format,
          bitrate: audio.bitrate ?? null,
          size: audio.size ?? null,
          expiresAt: new Date(audio.expiresAt).toISOString(),
        },
        // The asked song's metadata, another provider's audio: which one plays is said here.
        ...(matchedFrom ? { matchedFrom: { ref: matchedFrom.ref, score: matchedFrom.score } } : {}),
      },
    };
  }
  const { reason, retryable, detail, song } = resolution.failure;
  return {
    status: reason === 'upstream-error' ? 502 : 422,
    body: {
      ref,
      error: { reason, retryable, message: detail },
      ...(song ? { song: songJson(song) } : {}),
    },
  };
}

export function playlistReply(page: PlaylistPage): Reply {
  return {
    status: 200,
    body: {
      ref: page.ref,
      name: page.name,
      total: page.total,
      offset: page.offset,
      limit: page.limit,
      songs: page.songs.map((song) => ({
        ref: song.ref,
        title: song.title,
        artist: joinArtists(song.artists),
        artists: song.artists,
        durationMs: song.durationMs ?? null,
      })),
    },
  };
}
