export {
  createRelayClient,
  DEFAULT_RELAY_TIMEOUTS,
  MAX_RESPONSE_BYTES,
  PLAYLIST_PAGE_SIZE,
  MAX_PLAYLIST_SONGS,
  type RelayClient,
  type RelayClientOptions,
} from './client.js';
export type {
  RelayTimeouts,
  SongResolution,
  PlayableSong,
  UnplayableSong,
  SongLookupOptions,
  AudioSource,
  RelayPlaylist,
  ListProgress,
} from './types.js';
export {
  RelayError,
  RelayUnavailableError,
  RelayAuthError,
  RelayNotFoundError,
  RelayRejectedError,
  RelayResponseError,
} from './errors.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs, isRetryable, type AttemptFailure } from './retry.js';
export type { PlaylistPage, PlaylistSong } from './schemas.js';
