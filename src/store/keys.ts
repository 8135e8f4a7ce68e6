/**
 * Every Redis key and channel relaycast uses, in one place. Lua scripts never spell a key:
 * they receive whole keys (KEYS) or the prefixes below (ARGV) from this module.
 *
 * Names are appended verbatim: each family ends in its own `<family>:` segment, so a name that
 * contains `:` can never collide with another family's key.
 */
export const KEY_PREFIX = 'relaycast:';

const family = (name: string): string => `${KEY_PREFIX}${name}:`;

/** Prefixes of the key families that hold one key per station, playlist or song. */
export const KEY_FAMILIES = Object.freeze({
  station: family('station'),
  playlist: family('playlist'),
  queue: family('queue'),
  nowPlaying: family('now'),
  history: family('history'),
  /** Order-mode cursor and the shuffle seed of a station (hash). */
  cursor: family('cursor'),
  /** Refs still to play in the current shuffle round, in their planned order (list). */
  shuffleOrder: family('shuffle-order'),
  /** Refs already played in the current shuffle round (list). */
  shufflePlayed: family('shuffle-played'),
  /** The last few refs handed out by takeNextSong, newest first (list). */
  recent: family('recent'),
  songMeta: family('song-meta'),
  audioUrl: family('audio-url'),
  unplayable: family('unplayable'),
  /** A song's loudness as a worker measured it (JSON, expiring: see song-loudness.ts). */
  songLoudness: family('song-loudness'),
  /** A station's current owner (hash worker, token, since), expiring unless renewed. */
  lease: family('lease'),
  /** The last fencing token handed out for a station (counter); it outlives leases so tokens only grow. */
  leaseToken: family('lease-token'),
  /** Which worker feeds a station's fallback mount with silence (hash worker, token, since), expiring unless renewed. */
  fallbackLease: family('fallback-lease'),
  fallbackLeaseToken: family('fallback-lease-token'),
});

export const keys = Object.freeze({
  /** Set of every station name. */
  stations: `${KEY_PREFIX}stations`,
  /** Set of every stored playlist name (an empty playlist has no list key, so existence lives here). */
  playlists: `${KEY_PREFIX}playlists`,
  /** Hash mount → station name: a mount can carry one station only. */
  mounts: `${KEY_PREFIX}mounts`,
  /** Hash of cache hit/miss counters, fields `<cache>:hit` and `<cache>:miss`. */
  cacheStats: `${KEY_PREFIX}cache-stats`,
  station: (name: string) => KEY_FAMILIES.station + name,
  playlist: (name: string) => KEY_FAMILIES.playlist + name,
  queue: (station: string) => KEY_FAMILIES.queue + station,
  nowPlaying: (station: string) => KEY_FAMILIES.nowPlaying + station,
  history: (station: string) => KEY_FAMILIES.history + station,
  cursor: (station: string) => KEY_FAMILIES.cursor + station,
  shuffleOrder: (station: string) => KEY_FAMILIES.shuffleOrder + station,
  shufflePlayed: (station: string) => KEY_FAMILIES.shufflePlayed + station,
  recent: (station: string) => KEY_FAMILIES.recent + station,
  songMeta: (ref: string) => KEY_FAMILIES.songMeta + ref,
  audioUrl: (ref: string) => KEY_FAMILIES.audioUrl + ref,
  unplayable: (ref: string) => KEY_FAMILIES.unplayable + ref,
  songLoudness: (ref: string) => KEY_FAMILIES.songLoudness + ref,
  lease: (station: string) => KEY_FAMILIES.lease + station,
  leaseToken: (station: string) => KEY_FAMILIES.leaseToken + station,
  fallbackLease: (station: string) => KEY_FAMILIES.fallbackLease + station,
  fallbackLeaseToken: (station: string) => KEY_FAMILIES.fallbackLeaseToken + station,
  /** Sorted set of live workers, scored by when their registration ends (Redis time, ms). */
  workers: `${KEY_PREFIX}workers`,
  /** Sorted set of live fallback-only workers (WORKER_ROLE=fallback), scored like `workers`. */
  fallbackWorkers: `${KEY_PREFIX}fallback-workers`,
});

/** Every key that belongs to one station and goes away with it. */
export function stationKeys(station: string): string[] {
  return [
    keys.station(station),
    keys.queue(station),
    keys.nowPlaying(station),
    keys.history(station),
    keys.cursor(station),
    keys.shuffleOrder(station),
    keys.shufflePlayed(station),
    keys.recent(station),
  ];
}

/**
 * The key families that `cache clear` may delete: caches only, never playlists, stations or queues. Loudness
 * records go too: the clear empties the workers' disk caches, whose transcodes measure the songs again.
 */
export const CACHE_FAMILIES = Object.freeze({
  'song-meta': KEY_FAMILIES.songMeta,
  'audio-url': KEY_FAMILIES.audioUrl,
  unplayable: KEY_FAMILIES.unplayable,
  'song-loudness': KEY_FAMILIES.songLoudness,
});

export type CacheName = keyof typeof CACHE_FAMILIES;

/** Pub/sub channel of the edit events a running worker listens to. */
export const EVENTS_CHANNEL = `${KEY_PREFIX}events`;
