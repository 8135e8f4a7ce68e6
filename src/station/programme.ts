import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Mp3Frame } from '../audio/index.js';
import type { Logger } from '../log/index.js';
import { describeError } from '../errors.js';
import { systemClock, type Clock, type Timer } from '../time/index.js';
import { SongNotReadyError, SongStalledError } from './errors.js';
import { KEPT_ASIDE_RETRY_MS, SetAside } from './set-aside.js';
import { SILENCE_BUDGET_MS, SilenceWatch } from './silence-watch.js';
import type { Song } from './song.js';
import type { Crossfader } from './crossfader.js';
import { Track, type FrameHold } from './track.js';

/**
 * Songs prepared ahead of the one playing, at most (one more while the station is silent and hedging).
 * A prepared song is an open cache file with a few dozen frames read (~30 KB), or, while the cache cannot
 * be used, a paused ffmpeg: the bound keeps the second case small too.
 */
export const MAX_PREPARED_TRACKS = 6;
/**
 * Preparation goes on until this much audio is prepared beyond the current song (or the bound above is
 * reached): one long song, or several short ones, so a slow relay or CDN has a minute before it is heard.
 */
export const PREPARE_AHEAD_MS = 60_000;
/**
 * Songs being prepared at once (one more while hedging): two, so one slow lookup or download does not hold
 * up the song behind it; more would only load the relay and the CDN for songs a minute away.
 */
export const MAX_PREPARING = 2;
/** A song whose length is not known counts as this much prepared audio: a typical song, not nothing. */
export const UNKNOWN_DURATION_MS = 30_000;
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
/** Songs handed out in a row that stalled recently and are skipped untried, before the station waits. */
const MAX_STALLED_SKIPS_PER_PICK = 8;

/** Where the programme gets songs from: a fixed list, a Redis playlist, a queue… */
export interface SongSupplier {
  /** The next song to prepare (after those already handed out), or null when there is nothing to play now. */
  nextSong(): Promise<Song | null>;
  /**
   * The song handed out is used up: it went on air, or failed, was skipped or put aside before it did.
   * Called once per song, in the order they were handed out; a supplier that commits its choices (a queue
   * pop) does it here, so a song only prepared and then dropped is not lost.
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
  /** Set when the frames wait for something better than playing now (see FrameHold). */
  hold?: FrameHold | undefined;
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
  /** Longest silence while a playable song is on the list (SILENCE_BUDGET_MS by default). */
  silenceBudgetMs?: number;
  clock?: Clock;
  /** Joins songs with a crossfade, and fades a skipped song out, while the station asks for one. */
  crossfader?: Crossfader;
}

/** One song handed out by the supplier, from its preparation until it ends. */
interface Slot {
  /** The song as the supplier handed it out (the supplier recognises its own songs by this object). */
  readonly request: Song;
  readonly abort: AbortController;
  readonly startedAt: number;
  /** Replans since start when it was handed out: a slot from before the last replan is dropped on arrival. */
  readonly generation: number;
  /** Tried again after being kept aside: the supplier no longer holds it. */
  readonly keptAside: boolean;
  /** Set once prepared. */
  track?: Track;
  /** Put aside, skipped or dropped: whatever its preparation still brings is thrown away. */
  gone?: true;
  /** Skipped while on air and fading out: it ends as skipped once the fade has played. */
  fading?: true;
}

type PutAsideKind = 'stalled' | 'slow' | 'not-ready' | 'skipped';

/**
 * What the station plays next, one frame at a time: the current track's frames while they last, the next
 * track as soon as it ends, and keepalive silence whenever nothing is ready, so the pacer never waits.
 *
 * Songs are handed out in order and kept in that order from preparation to air. Silence while a song is
 * wanted is measured (SilenceWatch): past a share of the budget the next song is prepared beside the one
 * keeping the station waiting, and the first one ready plays, the songs before it put aside; past the
 * budget, whatever keeps the station silent is put aside. So whatever one song's sources do, a list with
 * a playable song is never silent for longer than the budget.
 */
export class Programme extends EventEmitter<ProgrammeEvents> {
  private current: Slot | undefined;
  /** Handed out after the current one, in order: preparing (no track yet) or prepared. */
  private readonly ahead: Slot[] = [];
  private picking = false;
  private consecutiveFailures = 0;
  private retryTimer: Timer | undefined;
  /** Why the station waits to ask again; a wait for a song that is not ready still counts as wanting one. */
  private waitingFor: 'nothing-to-play' | 'not-ready' | 'failures' | undefined;
  private closed = false;
  /** Songs in a row that could not be prepared for a passing reason; logged loudly only at the first. */
  private notReadyStreak = 0;
  /** Bumped by replan(): a song still loading from before it is dropped when it arrives. */
  private generation = 0;
  private readonly abort = new AbortController();
  private readonly options: ProgrammeOptions;
  private readonly clock: Clock;
  private readonly silenceWatch: SilenceWatch;
  private readonly aside: SetAside;
  /**
   * Silence frames sent while a song was wanted (the underrun listeners hear), since start. A plain count,
   * read when metrics are scraped: nothing more is done per frame.
   */
  private silentFramesWanted = 0;

  constructor(options: ProgrammeOptions) {
    super();
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.silenceWatch = new SilenceWatch(options.silenceBudgetMs ?? SILENCE_BUDGET_MS, this.clock);
    this.aside = new SetAside(this.clock);
  }

  /** Starts preparing the first songs. */
  start(): void {
    this.fill();
  }

  get nowPlaying(): Song | undefined {
    return this.current?.track?.started ? this.current.track.song : undefined;
  }

  /** Frames of the song on air played so far; 0 when none is on air. */
  get nowPlayingFrames(): number {
    return this.current?.track?.framesPlayed ?? 0;
  }

  /** Silence frames sent while a song was wanted, since start (see SilenceWatch). */
  get wantedSilenceFrames(): number {
    return this.silentFramesWanted;
  }

  /** Never blocks and never returns nothing: music when a frame is ready, silence otherwise. */
  nextFrame(): Mp3Frame {
    for (let attempts = 0; attempts <= MAX_PREPARED_TRACKS + 1; attempts += 1) {
      if (!this.current) this.promote();
      const slot = this.current;
      if (!slot?.track) break;
      const frame = this.readFrom(slot, slot.track);
      if (frame) {
        this.silenceWatch.heard();
        this.options.crossfader?.consider(slot.track, this.ahead[0]?.track);
        return frame;
      }
      if (!slot.track.finished) break;
      this.finish(slot, slot.fading ? 'skipped' : slot.track.state === 'failed' ? 'failed' : 'ended', slot.track.error);
    }
    return this.silence();
  }

  /**
   * Ends the current song now (on a station that crossfades, after a short fade-out), or drops the one being
   * prepared when nothing plays; the next one follows. A second skip during the fade cuts at once.
   */
  skip(): void {
    const target = this.current ?? this.ahead[0];
    if (!target) return;
    if (target === this.current && !target.fading && target.track && this.options.crossfader?.fadeOut(target.track)) {
      target.fading = true;
      return;
    }
    this.putAside(target, 'skipped');
  }

  /**
   * Drops the prepared songs (not the current one) so the next song is asked for again, e.g. after a
   * playlist edit. At once, even while waiting to retry: an edit to an empty list, or after songs failed,
   * is new information, and the song just added should not wait for the retry.
   */
  replan(): void {
    this.generation += 1;
    // A song whose start is already crossfaded into the end of the one on air stays next.
    const first = this.ahead[0]?.track;
    const dropped = this.ahead.splice(first && this.options.crossfader?.joinedInto(first) ? 1 : 0);
    for (const slot of dropped) this.dispose(slot);
    const handedOut = dropped.filter((slot) => !slot.keptAside).map((slot) => slot.request);
    if (handedOut.length > 0) this.options.supplier.forget?.(handedOut);
    for (const slot of dropped) if (slot.keptAside) this.aside.keep(slot.request);
    this.clearRetry();
    this.fill();
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    this.options.crossfader?.cancel();
    this.clearRetry();
    for (const slot of [this.current, ...this.ahead.splice(0)]) if (slot) this.dispose(slot);
    this.current = undefined;
  }

  private silence(): Mp3Frame {
    const wanted = this.wantsSong();
    if (wanted) this.silentFramesWanted += 1;
    this.silenceWatch.silent(wanted);
    const stage = this.silenceWatch.stage;
    if (stage === 'hedging' || stage === 'over-budget') this.keepWithinBudget(stage === 'over-budget');
    return this.options.silence.next();
  }

  private wantsSong(): boolean {
    return this.current !== undefined || this.ahead.length > 0 || this.picking || this.waitingFor === 'not-ready';
  }

  /**
   * The station has been silent while wanting a song for a share of its budget: play any prepared song
   * now (the songs before it, which keep the station waiting, are put aside); past the budget, put aside
   * whatever has kept it silent that long; and prepare one song more meanwhile.
   */
  private keepWithinBudget(overBudget: boolean): void {
    const readyIndex = this.ahead.findIndex((slot) => slot.track?.state === 'ready');
    if (readyIndex >= 0) {
      if (this.current) this.putAside(this.current, 'stalled');
      for (const slot of this.ahead.slice(0, readyIndex)) this.putAside(slot, slot.track ? 'stalled' : 'slow');
      return;
    }
    if (overBudget) {
      const overdue = this.ahead.filter((slot) => this.clock.now() - slot.startedAt >= this.silenceWatch.budgetMs);
      const culprits = this.current ? [this.current, ...overdue] : overdue;
      if (culprits.length > 0) {
        const details = { silentMs: Math.round(this.silenceWatch.silentForMs), budgetMs: this.silenceWatch.budgetMs, songs: culprits.map((slot) => slot.request.ref) };
        this.options.logger.warn(details, 'silence budget spent: putting aside what keeps the station silent');
      }
      // A track with no frame is stalled (ffmpeg's own deadlines missed it); a preparation may only be slow
      // (a loaded machine), so it is kept aside once rather than remembered as broken.
      for (const slot of culprits) this.putAside(slot, slot.track ? 'stalled' : 'slow');
      this.silenceWatch.restart();
    }
    this.fill();
  }

  private readFrom(slot: Slot, track: Track): Mp3Frame | undefined {
    const wasStarted = track.started;
    const frame = track.read();
    if (frame && !wasStarted) {
      this.consecutiveFailures = 0;
      this.consumed(slot);
      this.emit('track-start', track.song);
    }
    return frame;
  }

  private promote(): void {
    if (!this.ahead[0]?.track) return;
    this.current = this.ahead.shift();
    this.fill();
  }

  /** Removes a slot from the programme, telling the supplier and the listeners how it ended. */
  private finish(slot: Slot, reason: TrackEndReason, error: unknown): void {
    this.remove(slot);
    if (!slot.track?.started) this.consumed(slot);
    if (reason === 'failed') this.noteFailure(slot.request, error);
    this.emit('track-end', slot.track?.song ?? slot.request, reason, error);
    this.fill();
  }

  private remove(slot: Slot): void {
    this.dispose(slot);
    if (this.current === slot) this.current = undefined;
    const index = this.ahead.indexOf(slot);
    if (index >= 0) this.ahead.splice(index, 1);
  }

  private dispose(slot: Slot): void {
    slot.gone = true;
    slot.abort.abort();
    if (slot.track) {
      this.options.crossfader?.forget(slot.track);
      slot.track.dispose();
    }
  }

  private consumed(slot: Slot): void {
    if (!slot.keptAside) this.options.supplier.consumed?.(slot.request);
  }

  /**
   * Takes a song out of the way: skipped by an admin; slow to prepare or not ready for a passing reason
   * (kept to be tried again later, once for a slow one); or stalled (remembered for a while, so the list
   * moves on to songs that play).
   */
  private putAside(slot: Slot, kind: PutAsideKind): void {
    const ref = slot.request.ref;
    if (kind === 'skipped') {
      this.finish(slot, 'skipped', undefined);
      return;
    }
    const mayKeep = kind === 'not-ready' || (kind === 'slow' && !slot.keptAside);
    if (mayKeep && this.aside.keep(slot.request)) {
      this.options.logger.warn({ song: ref, retryInMs: KEPT_ASIDE_RETRY_MS }, 'cannot prepare the song in time: kept aside to try again, playing the next');
      this.remove(slot);
      this.consumed(slot);
      this.fill();
      return;
    }
    this.aside.stalled(ref);
    this.finish(slot, 'failed', new SongStalledError(ref, this.silenceWatch.silentForMs, slot.track ? 'playing' : 'preparing'));
  }

  private noteFailure(song: Song, error: unknown): void {
    this.consecutiveFailures += 1;
    this.options.logger.warn({ song: song.ref, title: song.title, err: describeError(error) }, 'song skipped: it could not be played');
  }

  /** A prepared track that fails before playing is dropped at once so the one after it gets prepared. */
  private onTrackSettled(track: Track): void {
    const slot = this.ahead.find((candidate) => candidate.track === track);
    if (slot && track.state === 'failed') this.finish(slot, 'failed', track.error);
  }

  private fill(): void {
    if (this.closed || this.picking || this.retryTimer || !this.wantsMore()) return;
    if (this.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
      this.consecutiveFailures = 0;
      this.options.logger.warn({ waitMs: RETRY_AFTER_FAILURES_MS }, 'several songs failed in a row: pausing before the next');
      this.retryAfter(RETRY_AFTER_FAILURES_MS, 'failures');
      return;
    }
    this.picking = true;
    const generation = this.generation;
    void this.pick().then((picked) => {
      this.picking = false;
      if (picked && !this.closed) {
        if (generation === this.generation) this.prepare(picked.song, picked.keptAside);
        else this.handBack(picked);
      }
      this.fill();
    });
  }

  /** Whether to prepare one more song: by count, by preparations at once, and by audio already prepared. */
  private wantsMore(): boolean {
    const hedging = this.silenceWatch.stage === 'hedging' || this.silenceWatch.stage === 'over-budget';
    const preparing = this.ahead.filter((slot) => !slot.track).length;
    if (preparing >= MAX_PREPARING + (hedging ? 1 : 0)) return false;
    if (this.ahead.length >= MAX_PREPARED_TRACKS + (hedging ? 1 : 0)) return false;
    if (this.ahead.length === 0) return true;
    // Until the first song plays, one at a time: a worker starting many stations starts one ffmpeg each.
    if (!this.current && !hedging) return false;
    const preparedMs = this.ahead.reduce((sum, slot) => sum + ((slot.track?.song ?? slot.request).durationMs || UNKNOWN_DURATION_MS), 0);
    return preparedMs < PREPARE_AHEAD_MS;
  }

  /**
   * A song picked before a replan that came while the pick was on its way (an admin queued a song): it may
   * no longer come next, so it goes back where it came from and the next pick asks again.
   */
  private handBack(picked: { song: Song; keptAside: boolean }): void {
    if (picked.keptAside) this.aside.keep(picked.song);
    else this.options.supplier.forget?.([picked.song]);
  }

  /** The next song: a song kept aside whose time has come, or the supplier's next that has not stalled lately. */
  private async pick(): Promise<{ song: Song; keptAside: boolean } | undefined> {
    const due = this.aside.takeDue();
    if (due) return { song: due, keptAside: true };
    for (let skipped = 0; skipped < MAX_STALLED_SKIPS_PER_PICK; skipped += 1) {
      const song = await this.supplierNext();
      if (!song) return undefined;
      if (!this.aside.isStalled(song.ref)) return { song, keptAside: false };
      this.options.logger.debug({ song: song.ref }, 'song skipped: its source stalled a short while ago');
      this.options.supplier.consumed?.(song);
    }
    this.retryAfter(RETRY_AFTER_FAILURES_MS, 'failures');
    return undefined;
  }

  private async supplierNext(): Promise<Song | null> {
    try {
      const song = await this.options.supplier.nextSong();
      if (!song && !this.closed) this.retryAfter(RETRY_WHEN_EMPTY_MS, 'nothing-to-play');
      return song;
    } catch (error) {
      if (!this.closed) {
        this.options.logger.warn({ err: describeError(error), retryInMs: RETRY_NOT_READY_MS }, 'could not pick the next song');
        this.retryAfter(RETRY_NOT_READY_MS, 'not-ready');
      }
      return null;
    }
  }

  private prepare(song: Song, keptAside: boolean): void {
    const slot: Slot = { request: song, abort: new AbortController(), startedAt: this.clock.now(), generation: this.generation, keptAside };
    this.ahead.push(slot);
    const signal = AbortSignal.any([this.abort.signal, slot.abort.signal]);
    this.options.loader.load(song, signal).then(
      (loaded) => this.onPrepared(slot, loaded),
      (error: unknown) => this.onPrepareFailed(slot, error),
    );
  }

  private onPrepared(slot: Slot, loaded: LoadedSong): void {
    const track = new Track(slot.request, loaded.song, loaded.frames, (settled) => this.onTrackSettled(settled), loaded.hold);
    if (slot.gone || this.closed) {
      track.dispose();
      return;
    }
    this.notReadyStreak = 0;
    slot.track = track;
    this.fill();
  }

  private onPrepareFailed(slot: Slot, error: unknown): void {
    if (slot.gone || this.closed) return;
    if (!(error instanceof SongNotReadyError)) {
      this.notReadyStreak = 0;
      this.finish(slot, 'failed', error);
      return;
    }
    const waitedLong = this.silenceWatch.stage === 'hedging' || this.silenceWatch.stage === 'over-budget';
    // Kept in line only while it is the last song handed out (forgetting it keeps the supplier's order) and
    // the station has not waited long; otherwise the songs behind it play and it is tried again later.
    if (slot.keptAside || waitedLong || this.ahead.at(-1) !== slot) {
      this.putAside(slot, 'not-ready');
      return;
    }
    this.keepInLine(slot, error);
  }

  /** A song that cannot be prepared now and comes next anyway: hand it out again after a short wait. */
  private keepInLine(slot: Slot, error: SongNotReadyError): void {
    this.remove(slot);
    this.options.supplier.forget?.([slot.request]);
    const details = { song: slot.request.ref, err: describeError(error.cause), retryInMs: RETRY_NOT_READY_MS };
    if (this.notReadyStreak === 0) this.options.logger.warn(details, 'cannot prepare the next song now: keeping it in line and retrying');
    else this.options.logger.debug(details, 'still cannot prepare the next song');
    this.notReadyStreak += 1;
    this.retryAfter(RETRY_NOT_READY_MS, 'not-ready');
  }

  private retryAfter(ms: number, reason: NonNullable<Programme['waitingFor']>): void {
    this.clearRetry();
    this.waitingFor = reason;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.waitingFor = undefined;
      this.fill();
    }, ms);
  }

  private clearRetry(): void {
    this.retryTimer?.clear();
    this.retryTimer = undefined;
    this.waitingFor = undefined;
  }
}
