export { createStore, type Store, type StorePlaylists, type StoreStations, type StoreQueue, type StorePlayback, type StoreCaches, type StoreLeases } from './store.js';
export type { StoreOptions } from './context.js';
export type { ImportOptions } from './playlists.js';
export { connectRedis, closeRedis, validateRedisUrl, FAIL_FAST_REDIS_OPTIONS } from './connection.js';
export { LONG_RUNNING_REDIS_OPTIONS } from './long-running-options.js';
export {
  followEvents,
  parseStoreEvent,
  STORE_EVENT_TYPES,
  type StoreEvent,
  type StoreEventType,
  type EventFollower,
  type EventHandlers,
} from './events.js';
export { NotFoundError, ValidationError, ConflictError, LeaseLostError, StoreUnavailableError, StoreError } from './errors.js';
export type { Fleet, FleetWorker, HeldStation, Lease, LeaseKind, WorkerRole } from './leases.js';
export { keys, KEY_PREFIX, EVENTS_CHANNEL } from './keys.js';
export {
  MAX_PLAYLIST_LENGTH,
  MAX_QUEUE_LENGTH,
  validateName,
  validateMount,
  validateSongRef,
  playModeProblem,
  PLAY_MODES,
} from './validate.js';
export { NO_REPEAT_WINDOW, HISTORY_LIMIT, MAX_PEEK } from './playback.js';
export { SONG_META_TTL_DAYS } from './caches.js';
export { STATION_DEFAULTS } from './stations.js';
export type {
  AudioUrl,
  CacheCounters,
  CacheStats,
  ListRange,
  LoudnessSummary,
  NewStation,
  NextSong,
  PlayedSong,
  PlayMode,
  PlaylistSummary,
  SongMeta,
  SongSource,
  Station,
  StationSettings,
  StationUpdate,
  Unplayable,
} from './types.js';
export { songMetaOf, webCoverUrl, type DescribedSong } from './song-meta.js';
