import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Mp3Frame } from '../audio/index.js';
import type { Logger } from '../log/index.js';
import { describeError } from '../errors.js';
import { SongNotReadyError } from './errors.js';
import type { Song } from './song.js';
import { Track } from './track.js';

/** Songs prepared ahead of the one playing: the next song is transcoding while the current one plays. */
export const PREFETCH_TRACKS = 1;
/** Songs that may fail in a row before the station waits instead of trying the next one at once. */
export const MAX_CONSECUTIVE_FAILURES = 5;
/** Wait after that many failures in a row before asking again. */
export const RETRY_AFTER_FAILURES_MS = 5_000;
/**
 * Wait before asking again when there is nothing to play. An edit reaches a running station at once (a
 * replan asks straight away), so this only catches an edit whose event was missed; it bounds how often an
 * idle station reads Redis.
 */
export const RETRY_WHEN_EMPTY_MS = 5_000;
/** Wait before trying again a song that could not be prepared for a passing reason (relay or network down). */
export const RETRY_NOT_READY_MS = 2_000;

/** Where the programme gets songs from: a fixed list, a Redis playlist, a queue… */
export interface SongSupplier {
  /** The next song to prepare (after those already handed out), or null when there is nothing to play now. */
  nextSong(): Promise<Song | null>;
  /**
   * The song handed out is used up: it went on air, or failed or was skipped before it did. Called once per
   * song, in no particular order; a supplier that commits its choices (a queue pop) does it here, so a song
   * only prepared and then dropped is not lost.
   */
  consumed?(song: Song): void;
  /** These prepared songs were dropped unplayed (a replan): hand them out again if they still come next. */
  forget?(songs: readonly Song[]): void;
}

/** A song ready to play: its frames (a bounded object stream in the station's format) and what to show for it. */
export interface LoadedSong {
  frames: Readable;
  /** The song as loading found it: a ref's title and artist are known only once it is resolved. */
  song: Song;
}

/** Prepares a song: resolves, downloads and transcodes it, or opens it from the audio cache. */
export interface FrameLoader {
  load(song: Song, signal: AbortSignal): Promise<LoadedSong>;
}

export type TrackEndReason = 'ended' | 'failed' | 'skipped';

export interface ProgrammeEvents {
  'track-start': [song: Song];
  'track-end': [song: Song, reason: TrackEndReason, error: unknown];
}

export interface ProgrammeOptions {
  supplier: SongSupplier;
  loader: FrameLoader;
  /** Keepalive silence in the station's format, one frame per call. */
  silence: { next(): Mp3Frame };
  logger: Logger;
  setTimeout?: (callback: () => void, ms: number) => { clear(): void };
}

const realSetTimeout = (callback: () => void, ms: number) => {
  const handle = setTimeout(callback, ms);
  return { clear: () => clearTimeout(handle) };
};

/**
 * What the station plays next, one frame at a time: the current track's frames while they last, the next
 * track as soon as it ends, and keepalive silence whenever nothing is ready, so the pacer never waits.
 */
export class Programme extends EventEmitter<ProgrammeEvents> {
  private current: Track | undefined;
  private readonly upcoming: Track[] = [];
  private loading = false;
  private consecutiveFailures = 0;
  private retryTimer: { clear(): void } | undefined;
  private closed = false;
  /** Songs in a row that could not be prepared for a passing reason; logged loudly only at the first. */
  private notReadyStreak = 0;
  /** Bumped by replan(): a song still loading from before it is dropped when it arrives. */
  private generation = 0;
  private readonly abort = new AbortController();
  private readonly options: ProgrammeOptions;
  private readonly setTimer: NonNullable<ProgrammeOptions['setTimeout']>;

  constructor(options: ProgrammeOptions) {
    super();
    this.options = options;
    this.setTimer = options.setTimeout ?? realSetTimeout;
  }

  /** Starts preparing the first songs. */
  start(): void {
    this.fill();
  }

  get nowPlaying(): Song | undefined {
    return this.current?.started ? this.current.song : undefined;
  }

  /** Never blocks and never returns nothing: music when a frame is ready, silence otherwise. */
  nextFrame(): Mp3Frame {
    for (let attempts = 0; attempts <= PREFETCH_TRACKS + 1; attempts += 1) {
      if (!this.current) this.promote();
      const track = this.current;
      if (!track) return this.options.silence.next();
      const frame = this.readFrom(track);
      if (frame) return frame;
      if (!track.finished) return this.options.silence.next();
      this.finish(track, track.state === 'failed' ? 'failed' : 'ended');
    }
    return this.options.silence.next();
  }

  /** Ends the current song now; the next prepared one starts with the next frame. */
  skip(): void {
    if (this.current) this.finish(this.current, 'skipped');
  }

  /**
   * Drops the prepared songs (not the current one) so the next song is asked for again, e.g. after a
   * playlist edit. At once, even while waiting to retry: an edit to an empty list, or after songs failed,
   * is new information, and the song just added should not wait for the retry.
   */
  replan(): void {
    this.generation += 1;
    this.drop(this.upcoming.splice(0));
    this.retryTimer?.clear();
    this.retryTimer = undefined;
    this.fill();
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    this.retryTimer?.clear();
    this.current?.dispose();
    for (const track of this.upcoming.splice(0)) track.dispose();
    this.current = undefined;
  }

  private drop(tracks: Track[]): void {
    for (const track of tracks) track.dispose();
    if (tracks.length > 0) this.options.supplier.forget?.(tracks.map((track) => track.request));
  }

  private readFrom(track: Track): Mp3Frame | undefined {
    const wasStarted = track.started;
    const frame = track.read();
    if (frame && !wasStarted) {
      this.consecutiveFailures = 0;
      this.options.supplier.consumed?.(track.request);
      this.emit('track-start', track.song);
    }
    return frame;
  }

  private promote(): void {
    this.current = this.upcoming.shift();
    this.fill();
  }

  private finish(track: Track, reason: TrackEndReason): void {
    track.dispose();
    if (!track.started) this.options.supplier.consumed?.(track.request);
    if (this.current === track) this.current = undefined;
    const index = this.upcoming.indexOf(track);
    if (index >= 0) this.upcoming.splice(index, 1);
    if (reason === 'failed') this.noteFailure(track.song, track.error);
    this.emit('track-end', track.song, reason, track.error);
    this.fill();
  }

  private noteFailure(song: Song, error: unknown): void {
    this.consecutiveFailures += 1;
    this.options.logger.warn({ song: song.ref, title: song.title, err: describeError(error) }, 'song skipped: it could not be played');
  }

  /** A prepared track that fails before playing is dropped at once so the one after it gets prepared. */
  private onTrackSettled(track: Track): void {
    if (track.state === 'failed' && this.upcoming.includes(track)) this.finish(track, 'failed');
  }

  private fill(): void {
    if (this.closed || this.loading || this.retryTimer) return;
    if (this.upcoming.length >= PREFETCH_TRACKS) return;
    if (this.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
      this.consecutiveFailures = 0;
      this.options.logger.warn({ waitMs: RETRY_AFTER_FAILURES_MS }, 'several songs failed in a row: pausing before the next');
      this.retryAfter(RETRY_AFTER_FAILURES_MS);
      return;
    }
    this.loading = true;
    void this.loadNext().then(() => {
      this.loading = false;
      this.fill();
    });
  }

  private deferNotReady(song: Song, error: SongNotReadyError): void {
    this.options.supplier.forget?.([song]);
    const details = { song: song.ref, err: describeError(error.cause), retryInMs: RETRY_NOT_READY_MS };
    if (this.notReadyStreak === 0) this.options.logger.warn(details, 'cannot prepare the next song now: keeping it in line and retrying');
    else this.options.logger.debug(details, 'still cannot prepare the next song');
    this.notReadyStreak += 1;
    this.retryAfter(RETRY_NOT_READY_MS);
  }

  private retryAfter(ms: number): void {
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = undefined;
      this.fill();
    }, ms);
  }

  private async loadNext(): Promise<void> {
    let song: Song | null;
    try {
      song = await this.options.supplier.nextSong();
    } catch (error) {
      if (this.closed) return;
      this.options.logger.warn({ err: describeError(error), retryInMs: RETRY_NOT_READY_MS }, 'could not pick the next song');
      this.retryAfter(RETRY_NOT_READY_MS);
      return;
    }
    if (this.closed) return;
    if (!song) {
      this.retryAfter(RETRY_WHEN_EMPTY_MS);
      return;
    }
    await this.loadTrack(song);
  }

  private async loadTrack(song: Song): Promise<void> {
    const generation = this.generation;
    try {
      const loaded = await this.options.loader.load(song, this.abort.signal);
      const track = new Track(song, loaded.song, loaded.frames, (settled) => this.onTrackSettled(settled));
      if (this.closed) track.dispose();
      else if (generation !== this.generation) this.drop([track]);
      else this.upcoming.push(track);
    } catch (error) {
      if (this.closed) return;
      if (error instanceof SongNotReadyError) {
        this.deferNotReady(song, error);
        return;
      }
      this.notReadyStreak = 0;
      this.options.supplier.consumed?.(song);
      this.noteFailure(song, error);
      this.emit('track-end', song, 'failed', error);
    }
  }
}
