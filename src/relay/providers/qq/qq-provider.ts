import { failed, ok } from '../../../result.js';
import { NotFoundError, UpstreamError } from '../../errors.js';
import { formatRef, type SongRef } from '../../../refs/index.js';
import { refused } from '../../upstream/response.js';
import { retryWhileRetryable, type RetryOptions } from '../../upstream/retry.js';
import type { Parsed, PlaylistPage, Provider, Resolution, SongInfo } from '../provider.js';
import type { QqApi } from './qq-api.js';
import type { WallClock } from '../../../time/index.js';

type QqSongRef = Extract<SongRef, { provider: 'qq' }>;

export interface QqProviderOptions {
  api: QqApi;
  /** Tries per upstream call, the first included: QQ fails now and then for no stated reason. */
  attempts: number;
  now: WallClock;
  random: () => number;
}

/**
 * What is known of a song whose detail call failed: its ref. The title is the ref too, so listeners and
 * logs see which song plays rather than an empty line; the next lookup brings the real metadata.
 */
function songWithoutDetail(ref: QqSongRef): SongInfo {
  const text = formatRef(ref);
  return { ref: text, title: text, artists: [] };
}

export function createQqProvider(options: QqProviderOptions): Provider<'qq'> {
  const { api } = options;
  const retries = (deadlineAt: number): RetryOptions => ({
    attempts: options.attempts,
    now: options.now,
    random: options.random,
    deadlineAt,
  });
  const failedRetryably = (result: Parsed<unknown>) => !result.ok && result.failure.retryable;

  return {
    name: 'qq',

    async resolveSong(ref, context): Promise<Resolution> {
      const { deadlineAt } = context;
      // The detail comes first: the audio file is named after its media mid.
      const detail = await retryWhileRetryable(retries(deadlineAt), failedRetryably, () =>
        api.songDetail(ref.songmid, deadlineAt),
      );
      if (detail.ok && !detail.value) return refused('delisted', 'QQ has no song with this songmid');
      // A definite "no" from the detail (not retryable) ends the lookup; a failed call does not: the
      // song's audio may still be there, and a playable URL is worth more than the metadata.
      if (!detail.ok && !detail.failure.retryable) return detail;
      // Without the detail the media mid is unknown; most songs' files are named after the songmid.
      const mediaMid = detail.ok && detail.value ? detail.value.mediaMid : ref.songmid;
      // The song keeps the ref it was asked for, even if QQ answers with a newer version's mid.
      const song = detail.ok && detail.value ? { ...detail.value.song, ref: formatRef(ref) } : undefined;

      const audio = await retryWhileRetryable(retries(deadlineAt), failedRetryably, () => api.audio(ref.songmid, mediaMid, deadlineAt));
      if (audio.ok) return ok({ song: song ?? songWithoutDetail(ref), audio: audio.value });
      // With no detail, a lasting refusal of the audio says more than the detail's failed call.
      if (!song && audio.failure.retryable && !detail.ok) return detail;
      return failed({ ...audio.failure, ...(song ? { song } : {}) });
    },

    async getPlaylist(ref, page, context): Promise<PlaylistPage> {
      const playlistRef = formatRef(ref);
      const list = await retryWhileRetryable(retries(context.deadlineAt), failedRetryably, () =>
        api.songlist(ref.id, page, context.deadlineAt),
      );
      if (!list.ok) throw new UpstreamError(playlistRef, list.failure.detail, list.failure.retryable);
      if (!list.value) throw new NotFoundError(playlistRef, 'QQ has no such playlist');
      const { name, total, firstIndex, tracks } = list.value;
      // The list may start at the requested offset (song_begin honoured) or at 0 (whole list).
      const start = Math.max(0, page.offset - firstIndex);
      return {
        ref: playlistRef,
        name,
        total,
        ...page,
        songs: tracks.slice(start, start + page.limit).map((track) => track.song),
      };
    },
  };
}
