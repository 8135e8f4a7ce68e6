import { buildCrossfade, type CrossfadeJoin } from '../audio/crossfade.js';
import { crossfadeFrames } from '../audio/crossfade-mix.js';
import { fadeOutFrames, SKIP_FADE_SECONDS } from '../audio/fade-out.js';
import type { StreamFormat } from '../audio/index.js';
import { SAMPLES_PER_FRAME } from '../audio/mpeg1.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { CROSSFADE_RANGE } from '../station-rules/index.js';
import type { Track } from './track.js';

/**
 * Audio between the moment a join is started and the first frame it changes, at least: the time ffmpeg has
 * to decode and encode it (~0.4 s on a quiet machine; measured up to 2.0 s at load average 4-11 on 2 cores).
 * A join not ready by then is dropped and the songs join gaplessly.
 */
export const CROSSFADE_MARGIN_SECONDS = 5;

/**
 * How a join ended: made (spliced in), late (ready after its first frame was due), failed (ffmpeg failed or
 * missed its deadline), none (a song too short or silent for one). All but `made` leave a gapless join.
 */
export const CROSSFADE_OUTCOMES = ['made', 'late', 'failed', 'none'] as const;
export type CrossfadeOutcome = (typeof CROSSFADE_OUTCOMES)[number];

export interface CrossfaderOptions {
  /** The station's crossfade in seconds as it is now (0: gapless joins, and a skip cuts at once). */
  readonly seconds: () => number;
  readonly format: StreamFormat;
  readonly logger: Logger;
  /** Each join attempted, as it ends (not one dropped because its songs changed or the station stopped). */
  readonly onJoin?: (outcome: CrossfadeOutcome) => void;
}

/** A join being made for the song on air and the one after it. */
interface PendingJoin {
  readonly from: Track;
  readonly to: Track;
  readonly abort: AbortController;
}

/**
 * Crossfades a station's songs into each other, one join at a time: once the song on air has its last
 * seconds read ahead and the next song its first, the join is made off the pacer's path (crossfade.ts) and
 * spliced into both tracks if it is ready before the first frame it changes is due. Whatever goes wrong, the
 * songs join as they would without a crossfade.
 */
export class Crossfader {
  private pending: PendingJoin | undefined;
  /** Tracks whose end a join or a fade-out replaced: never joined from again, even if the next song changes. */
  private readonly endReplaced = new WeakSet<Track>();
  /** Tracks whose start is mixed into the end of the song before them: they must play next. */
  private readonly startReplaced = new WeakSet<Track>();
  private readonly framesPerSecond: number;

  constructor(private readonly options: CrossfaderOptions) {
    this.framesPerSecond = options.format.sampleRate / SAMPLES_PER_FRAME;
  }

  /** Whether the station crossfades now: a skip then fades out too. */
  get active(): boolean {
    return this.crossfadeSeconds() > 0;
  }

  /** After each frame of `current`: reads far enough ahead and starts the join once both sides are there. */
  consider(current: Track, next: Track | undefined): void {
    const seconds = this.crossfadeSeconds();
    if (seconds === 0) return;
    const needs = crossfadeFrames(seconds, this.options.format.sampleRate);
    const window = needs.tail + Math.ceil(CROSSFADE_MARGIN_SECONDS * this.framesPerSecond);
    current.setLookahead(window);
    if (!next || this.endReplaced.has(current) || (this.pending?.from === current && this.pending.to === next)) return;
    next.setLookahead(needs.head);
    if (!current.endKnown || current.framesReady > window || next.started || next.state !== 'ready') return;
    next.releaseHold();
    if (next.framesReady < needs.head && !next.endKnown) return;
    this.start(current, next, seconds, needs);
  }

  /** A skipped song's next few hundred milliseconds, faded out (the song then ends); false when it cuts at once. */
  fadeOut(track: Track): boolean {
    if (!this.active || !track.started) return false;
    this.cancel();
    this.endReplaced.add(track);
    const frames = track.peek(0, Math.ceil(SKIP_FADE_SECONDS * this.framesPerSecond));
    if (frames.length === 0) return false;
    track.endWith(0, fadeOutFrames(frames));
    return true;
  }

  /** Whether the song's start is already mixed into the end of the song on air: it must come next. */
  joinedInto(track: Track): boolean {
    return this.startReplaced.has(track);
  }

  /** The track leaves the programme: a join being made for it is dropped. */
  forget(track: Track): void {
    if (this.pending?.from === track || this.pending?.to === track) this.cancel();
  }

  /** Drops the join being made (the station stops, or its songs changed). */
  cancel(): void {
    this.pending?.abort.abort();
    this.pending = undefined;
  }

  private crossfadeSeconds(): number {
    const seconds = this.options.seconds();
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, CROSSFADE_RANGE.max) : 0;
  }

  private start(from: Track, to: Track, seconds: number, needs: { tail: number; head: number }): void {
    this.cancel();
    const pending: PendingJoin = { from, to, abort: new AbortController() };
    this.pending = pending;
    const before = Math.max(0, from.framesReady - needs.tail);
    const tail = from.peek(before, needs.tail);
    const head = to.peek(0, needs.head);
    const playedAtStart = from.framesPlayed;
    const song = { from: from.song.ref, to: to.song.ref };
    const startedAt = performance.now();
    buildCrossfade(tail, head, this.options.format, seconds, { signal: pending.abort.signal }).then(
      (join) => {
        if (this.pending !== pending || pending.abort.signal.aborted) return;
        if (!join) {
          this.options.logger.debug({ ...song, seconds }, 'no crossfade: a song is too short or silent for one');
          this.options.onJoin?.('none');
          return;
        }
        const buildMs = Math.round(performance.now() - startedAt);
        const keep = before + join.plan.keepTailFrames - (from.framesPlayed - playedAtStart);
        if (keep < 0 || to.started || to.framesReady < join.plan.dropHeadFrames) {
          this.options.logger.warn({ ...song, buildMs }, 'crossfade ready too late: the songs join without one');
          this.options.onJoin?.('late');
          return;
        }
        this.splice(from, to, keep, join);
        this.options.logger.info({ ...song, seconds: round(join.plan.overlapSamples / this.options.format.sampleRate), trimmedSeconds: this.trimmed(join), buildMs }, 'crossfade ready');
        this.options.onJoin?.('made');
      },
      (error: unknown) => {
        if (this.pending !== pending || pending.abort.signal.aborted) return;
        this.options.logger.warn({ ...song, err: describeError(error) }, 'crossfade failed: the songs join without one');
        this.options.onJoin?.('failed');
      },
    );
  }

  private splice(from: Track, to: Track, keep: number, join: CrossfadeJoin): void {
    this.endReplaced.add(from);
    this.startReplaced.add(to);
    from.endWith(keep, join.outgoing);
    to.beginWith(join.incoming, join.plan.dropHeadFrames);
  }

  private trimmed(join: CrossfadeJoin): { outro: number; intro: number } {
    const rate = this.options.format.sampleRate;
    return { outro: round(join.plan.trimmedTail / rate), intro: round(join.plan.trimmedLead / rate) };
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
