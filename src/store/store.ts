import type { Redis } from 'ioredis';
import { bindOperations, type Bound } from './bind.js';
import * as caches from './caches.js';
import * as leases from './leases.js';
import { createContext, type StoreOptions } from './context.js';
import * as playback from './playback.js';
import * as playlists from './playlists.js';
import * as queue from './queue.js';
import * as songLoudness from './song-loudness.js';
import * as stations from './stations.js';

const playlistOperations = {
  list: playlists.listPlaylists,
  get: playlists.getPlaylist,
  length: playlists.getPlaylistLength,
  create: playlists.createPlaylist,
  remove: playlists.removePlaylist,
  rename: playlists.renamePlaylist,
  add: playlists.addToPlaylist,
  insert: playlists.insertIntoPlaylist,
  delete: playlists.deleteFromPlaylist,
  move: playlists.moveInPlaylist,
  clear: playlists.clearPlaylist,
  shuffle: playlists.shufflePlaylist,
  import: playlists.importIntoPlaylist,
};

const stationOperations = {
  list: stations.listStations,
  get: stations.getStation,
  create: stations.createStation,
  update: stations.updateStation,
  remove: stations.removeStation,
  skip: stations.skipSong,
};

const queueOperations = {
  get: queue.getQueue,
  add: queue.enqueue,
  addNext: queue.enqueueNext,
  remove: queue.dequeue,
  clear: queue.clearQueue,
};

const playbackOperations = {
  takeNext: playback.takeNextSong,
  peekNext: playback.peekNextSongs,
  setNowPlaying: playback.setNowPlaying,
  getNowPlaying: playback.getNowPlaying,
  appendHistory: playback.appendHistory,
  getHistory: playback.getHistory,
};

const cacheOperations = {
  getSongMeta: caches.getSongMeta,
  putSongMeta: caches.putSongMeta,
  getSongMetas: caches.getSongMetas,
  putAudioUrl: caches.putAudioUrl,
  getAudioUrl: caches.getAudioUrl,
  putUnplayable: caches.putUnplayable,
  getUnplayable: caches.getUnplayable,
  putSongLoudness: songLoudness.putSongLoudness,
  getSongLoudness: songLoudness.getSongLoudness,
  stats: caches.getCacheStats,
  clear: caches.clearCaches,
};

const leaseOperations = {
  claim: leases.claimLease,
  renew: leases.renewLease,
  release: leases.releaseLease,
  claimFallback: leases.claimFallbackLease,
  renewFallback: leases.renewFallbackLease,
  releaseFallback: leases.releaseFallbackLease,
  heartbeat: leases.workerHeartbeat,
  leave: leases.workerLeaves,
  fleet: leases.readFleet,
};

export type StorePlaylists = Bound<typeof playlistOperations>;
export type StoreStations = Bound<typeof stationOperations>;
export type StoreQueue = Bound<typeof queueOperations>;
export type StorePlayback = Bound<typeof playbackOperations>;
export type StoreCaches = Bound<typeof cacheOperations>;
export type StoreLeases = Bound<typeof leaseOperations>;

/**
 * relaycast's state in Redis. Every write is one Lua script (checks, writes and its event together),
 * so a failed call changes nothing. Positions are 1-based, as admins see them; ranges are 0-based,
 * end excluded (mpc's --range). Errors: ValidationError, NotFoundError, ConflictError,
 * StoreUnavailableError, StoreError.
 */
export interface Store {
  readonly redis: Redis;
  readonly playlists: StorePlaylists;
  readonly stations: StoreStations;
  /** Each station's queue: songs that play before its playlist continues. */
  readonly queue: StoreQueue;
  /** The worker's progress: what plays next, now and before. */
  readonly playback: StorePlayback;
  /** The worker's caches of song metadata, audio URLs and unplayable songs, and the loudness it measured. */
  readonly caches: StoreCaches;
  /** Which worker plays which station: leases with fencing tokens, and the live workers. */
  readonly leases: StoreLeases;
}

export function createStore(redis: Redis, options: StoreOptions = {}): Store {
  const ctx = createContext(redis, options);
  return {
    redis,
    playlists: bindOperations(ctx, playlistOperations),
    stations: bindOperations(ctx, stationOperations),
    queue: bindOperations(ctx, queueOperations),
    playback: bindOperations(ctx, playbackOperations),
    caches: bindOperations(ctx, cacheOperations),
    leases: bindOperations(ctx, leaseOperations),
  };
}
