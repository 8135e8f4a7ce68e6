import type { Redis } from 'ioredis';
import * as caches from './caches.js';
import { createContext, type StoreOptions } from './context.js';
import * as playback from './playback.js';
import * as playlists from './playlists.js';
import * as queue from './queue.js';
import * as stations from './stations.js';
import type {
  AudioUrl,
  CacheStats,
  ListRange,
  NewStation,
  NextSong,
  PlayedSong,
  PlaylistSummary,
  SongMeta,
  Station,
  StationUpdate,
  Unplayable,
} from './types.js';

/**
 * relaycast's state in Redis. Every write is one Lua script (checks, writes and its event together),
 * so a failed call changes nothing. Positions are 1-based, as admins see them; ranges are 0-based,
 * end excluded (mpc's --range). Errors: ValidationError, NotFoundError, ConflictError,
 * StoreUnavailableError, StoreError.
 */
export interface Store {
  readonly redis: Redis;

  listPlaylists(): Promise<PlaylistSummary[]>;
  getPlaylist(name: string, range?: ListRange): Promise<string[]>;
  getPlaylistLength(name: string): Promise<number>;
  createPlaylist(name: string): Promise<void>;
  removePlaylist(name: string): Promise<number>;
  renamePlaylist(name: string, newName: string): Promise<number>;
  addToPlaylist(name: string, refs: readonly string[]): Promise<number>;
  insertIntoPlaylist(name: string, position: number, refs: readonly string[]): Promise<number>;
  deleteFromPlaylist(name: string, positions: readonly number[]): Promise<number>;
  moveInPlaylist(name: string, from: number, to: number): Promise<void>;
  clearPlaylist(name: string): Promise<number>;
  shufflePlaylist(name: string): Promise<void>;
  importIntoPlaylist(name: string, refs: readonly string[], options: playlists.ImportOptions): Promise<number>;

  listStations(): Promise<Station[]>;
  getStation(name: string): Promise<Station>;
  createStation(name: string, settings: NewStation): Promise<Station>;
  updateStation(name: string, update: StationUpdate, options?: { now?: boolean }): Promise<Station>;
  removeStation(name: string): Promise<void>;
  skipSong(station: string): Promise<number>;

  getQueue(station: string, range?: ListRange): Promise<string[]>;
  enqueue(station: string, refs: readonly string[]): Promise<number>;
  enqueueNext(station: string, refs: readonly string[], options?: { now?: boolean }): Promise<number>;
  dequeue(station: string, positions: readonly number[]): Promise<number>;
  clearQueue(station: string): Promise<number>;

  takeNextSong(station: string): Promise<NextSong | null>;
  peekNextSongs(station: string, count: number): Promise<NextSong[]>;
  setNowPlaying(station: string, song: PlayedSong | null): Promise<void>;
  getNowPlaying(station: string): Promise<PlayedSong | null>;
  appendHistory(station: string, song: PlayedSong): Promise<void>;
  getHistory(station: string, range?: ListRange): Promise<PlayedSong[]>;

  getSongMeta(ref: string): Promise<SongMeta | null>;
  putSongMeta(ref: string, meta: SongMeta): Promise<void>;
  getSongMetas(refs: readonly string[]): Promise<Map<string, SongMeta>>;
  putAudioUrl(ref: string, audio: AudioUrl, safetyMarginMs: number): Promise<boolean>;
  getAudioUrl(ref: string): Promise<AudioUrl | null>;
  putUnplayable(ref: string, reason: string, ttlMs: number): Promise<void>;
  getUnplayable(ref: string): Promise<Unplayable | null>;
  getCacheStats(): Promise<CacheStats>;
  clearCaches(): Promise<number>;
}

export function createStore(redis: Redis, options: StoreOptions = {}): Store {
  const ctx = createContext(redis, options);
  return {
    redis,
    listPlaylists: () => playlists.listPlaylists(ctx),
    getPlaylist: (name, range) => playlists.getPlaylist(ctx, name, range),
    getPlaylistLength: (name) => playlists.getPlaylistLength(ctx, name),
    createPlaylist: (name) => playlists.createPlaylist(ctx, name),
    removePlaylist: (name) => playlists.removePlaylist(ctx, name),
    renamePlaylist: (name, newName) => playlists.renamePlaylist(ctx, name, newName),
    addToPlaylist: (name, refs) => playlists.addToPlaylist(ctx, name, refs),
    insertIntoPlaylist: (name, position, refs) => playlists.insertIntoPlaylist(ctx, name, position, refs),
    deleteFromPlaylist: (name, positions) => playlists.deleteFromPlaylist(ctx, name, positions),
    moveInPlaylist: (name, from, to) => playlists.moveInPlaylist(ctx, name, from, to),
    clearPlaylist: (name) => playlists.clearPlaylist(ctx, name),
    shufflePlaylist: (name) => playlists.shufflePlaylist(ctx, name),
    importIntoPlaylist: (name, refs, importOptions) => playlists.importIntoPlaylist(ctx, name, refs, importOptions),

    listStations: () => stations.listStations(ctx),
    getStation: (name) => stations.getStation(ctx, name),
    createStation: (name, settings) => stations.createStation(ctx, name, settings),
    updateStation: (name, update, updateOptions) => stations.updateStation(ctx, name, update, updateOptions),
    removeStation: (name) => stations.removeStation(ctx, name),
    skipSong: (station) => stations.skipSong(ctx, station),

    getQueue: (station, range) => queue.getQueue(ctx, station, range),
    enqueue: (station, refs) => queue.enqueue(ctx, station, refs),
    enqueueNext: (station, refs, nextOptions) => queue.enqueueNext(ctx, station, refs, nextOptions),
    dequeue: (station, positions) => queue.dequeue(ctx, station, positions),
    clearQueue: (station) => queue.clearQueue(ctx, station),

    takeNextSong: (station) => playback.takeNextSong(ctx, station),
    peekNextSongs: (station, count) => playback.peekNextSongs(ctx, station, count),
    setNowPlaying: (station, song) => playback.setNowPlaying(ctx, station, song),
    getNowPlaying: (station) => playback.getNowPlaying(ctx, station),
    appendHistory: (station, song) => playback.appendHistory(ctx, station, song),
    getHistory: (station, range) => playback.getHistory(ctx, station, range),

    getSongMeta: (ref) => caches.getSongMeta(ctx, ref),
    putSongMeta: (ref, meta) => caches.putSongMeta(ctx, ref, meta),
    getSongMetas: (refs) => caches.getSongMetas(ctx, refs),
    putAudioUrl: (ref, audio, margin) => caches.putAudioUrl(ctx, ref, audio, margin),
    getAudioUrl: (ref) => caches.getAudioUrl(ctx, ref),
    putUnplayable: (ref, reason, ttlMs) => caches.putUnplayable(ctx, ref, reason, ttlMs),
    getUnplayable: (ref) => caches.getUnplayable(ctx, ref),
    getCacheStats: () => caches.getCacheStats(ctx),
    clearCaches: () => caches.clearCaches(ctx),
  };
}
