import type { Readable } from 'node:stream';
import type { Mp3Frame, Mp3FrameBatch } from '../audio/index.js';
import type { Song } from './song.js';

export type TrackStatus = 'loading' | 'ready' | 'ended' | 'failed';

/**
 * Frames that are there but held back until they are wanted or something better is known (a song's
 * loudness, measured as it is transcoded): release() lets them through at once, the first batch readable
 * when it returns. A track counts as ready while its frames are held.
 */
export interface FrameHold {
  readonly holding: boolean;
  release(): void;
}

/**
 * Frames a track keeps read ahead of the pacer, at least (~0.4 s at 44.1 kHz; it reads whole batches, so up
 * to a batch more). Reading ahead lets the stream report its end before the pacer needs the frame after the
 * last one: a stream only says it has ended after a read comes back empty, and the pacer asking then
 * would get silence where the next song should start.
 */
export const TRACK_LOOKAHEAD_FRAMES = 16;

/**
 * One song on its way to the pacer: its frames arrive in batches from a bounded object stream (the
 * transcoder or the disk cache), so at most that stream's buffer plus the lookahead is held per song, and a
 * paused consumer pauses ffmpeg.
 */
export class Track {
  /** The song as the supplier handed it out (the supplier recognises its own songs by this object). */
  readonly request: Song;
  /** The song as listeners see it, with what loading learnt about it. */
  readonly song: Song;
  private status: TrackStatus = 'loading';
  private framesRead = 0;
  private failure: unknown;
  /** Batches read ahead; the first is being played from `position` on. */
  private readonly lookahead: Mp3FrameBatch[] = [];
  private position = 0;
  private framesAhead = 0;
  /** Frames read ahead at least: TRACK_LOOKAHEAD_FRAMES, more while a crossfade needs to see the song's end. */
  private lookaheadFrames = TRACK_LOOKAHEAD_FRAMES;
  /** Its frames are all in the lookahead now (cut for a crossfade or a fade-out): nothing more is read. */
  private sealed = false;
  /** Frames of the song a crossfade replaced, less the crossfade frames played in their place. */
  private positionOffset = 0;
  private readonly frames: Readable;
  private readonly onSettled: (track: Track) => void;

  constructor(
    request: Song,
    song: Song,
    frames: Readable,
    onSettled: (track: Track) => void,
    private readonly hold?: FrameHold,
  ) {
    this.request = request;
    this.song = song;
    this.frames = frames;
    this.onSettled = onSettled;
    frames.on('readable', () => this.readAhead());
    frames.once('end', () => this.settle('ended'));
    frames.once('error', (error) => {
      this.failure = error;
      // Frames already read ahead still play: a song cut short plays its valid part.
      this.settle(this.framesRead > 0 || this.framesAhead > 0 ? 'ended' : 'failed');
    });
  }

  get state(): TrackStatus {
    return this.status === 'loading' && this.hold?.holding ? 'ready' : this.status;
  }

  /** True once a frame has been played: before that, a failure costs the listener nothing but a skip. */
  get started(): boolean {
    return this.framesRead > 0;
  }

  get error(): unknown {
    return this.failure;
  }

  /** Frames played so far: the song's position, in frames. */
  get framesPlayed(): number {
    return Math.max(0, this.framesRead + this.positionOffset);
  }

  /** Frames read ahead and not played yet. */
  get framesReady(): number {
    return this.framesAhead;
  }

  /** True once its stream has ended: every frame it will play is in the lookahead. */
  get endKnown(): boolean {
    return this.sealed || this.status === 'ended';
  }

  /** Reads at least `frames` ahead from now on (never fewer than TRACK_LOOKAHEAD_FRAMES). */
  setLookahead(frames: number): void {
    const wanted = Math.max(TRACK_LOOKAHEAD_FRAMES, frames);
    if (wanted === this.lookaheadFrames) return;
    this.lookaheadFrames = wanted;
    this.readAhead();
  }

  /** `count` frames read ahead, from the `from`th not played yet; fewer when fewer are there. */
  peek(from: number, count: number): Mp3Frame[] {
    return this.readyFrames().slice(from, from + count);
  }

  /** Plays `keep` more of its own frames, then `then`, and ends: the rest of the song is dropped. */
  endWith(keep: number, then: readonly Mp3Frame[]): void {
    this.replaceReady([...this.readyFrames().slice(0, keep), ...then]);
    this.sealed = true;
  }

  /** Before it starts: plays `first` in place of its first `replaced` frames (a crossfade's second half). */
  beginWith(first: readonly Mp3Frame[], replaced: number): void {
    if (this.started) return;
    this.replaceReady([...first, ...this.readyFrames().slice(replaced)]);
    this.positionOffset = replaced - first.length;
  }

  /** Releases frames held back for the song's loudness: a crossfade needs them now. */
  releaseHold(): void {
    if (!this.hold?.holding) return;
    this.hold.release();
    this.readAhead();
  }

  /** The next frame if one is ready; undefined when none is ready yet or the track is over. */
  read(): Mp3Frame | undefined {
    if (!this.lookahead[0] && this.hold?.holding) {
      // The pacer wants this song now: whatever it was held for, it plays as it is.
      this.hold.release();
      this.readAhead();
    }
    const batch = this.lookahead[0];
    if (!batch) return undefined;
    const frame = batch[this.position]!;
    this.position += 1;
    if (this.position === batch.length) {
      this.lookahead.shift();
      this.position = 0;
    }
    this.framesAhead -= 1;
    this.framesRead += 1;
    if (this.framesAhead < this.lookaheadFrames) this.readAhead();
    return frame;
  }

  /** True when the track will never yield another frame. */
  get finished(): boolean {
    return this.framesAhead === 0 && (this.sealed || this.status === 'ended' || this.status === 'failed' || this.frames.destroyed);
  }

  /** Stops the song's pipeline (kills its ffmpeg) and frees its buffers. */
  dispose(): void {
    this.lookahead.length = 0;
    this.position = 0;
    this.framesAhead = 0;
    if (!this.frames.destroyed) this.frames.destroy();
  }

  private readyFrames(): Mp3Frame[] {
    const frames = this.lookahead.flat();
    return frames.slice(this.position);
  }

  private replaceReady(frames: Mp3Frame[]): void {
    this.lookahead.length = 0;
    this.position = 0;
    if (frames.length > 0) this.lookahead.push(frames);
    this.framesAhead = frames.length;
    if (this.status === 'loading' && frames.length > 0) this.status = 'ready';
  }

  private readAhead(): void {
    while (!this.sealed && this.framesAhead < this.lookaheadFrames && !this.frames.destroyed) {
      const batch = this.frames.read() as Mp3FrameBatch | null;
      if (batch === null) return;
      if (batch.length === 0) continue;
      this.lookahead.push(batch);
      this.framesAhead += batch.length;
      if (this.status === 'loading') this.status = 'ready';
    }
  }

  private settle(status: 'ended' | 'failed'): void {
    if (this.status === 'ended' || this.status === 'failed') return;
    this.status = status;
    this.onSettled(this);
  }
}
