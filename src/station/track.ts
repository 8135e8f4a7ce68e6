import type { Readable } from 'node:stream';
import type { Mp3Frame } from '../audio/index.js';
import type { Song } from './song.js';

export type TrackStatus = 'loading' | 'ready' | 'ended' | 'failed';

/**
 * One song on its way to the pacer: its frames arrive from a bounded object stream (the transcoder or the
 * disk cache), so at most that stream's buffer of audio is held per song, and a paused consumer pauses ffmpeg.
 */
export class Track {
  /** The song as the supplier handed it out (the supplier recognises its own songs by this object). */
  readonly request: Song;
  /** The song as listeners see it, with what loading learnt about it. */
  readonly song: Song;
  private status: TrackStatus = 'loading';
  private framesRead = 0;
  private failure: unknown;
  private readonly frames: Readable;
  private readonly onSettled: (track: Track) => void;

  constructor(request: Song, song: Song, frames: Readable, onSettled: (track: Track) => void) {
    this.request = request;
    this.song = song;
    this.frames = frames;
    this.onSettled = onSettled;
    frames.on('readable', () => this.markReady());
    frames.once('end', () => this.settle('ended'));
    frames.once('error', (error) => {
      this.failure = error;
      this.settle(this.framesRead > 0 ? 'ended' : 'failed');
    });
  }

  get state(): TrackStatus {
    return this.status;
  }

  /** True once no frame has been played: a failure then costs the listener nothing but a skip. */
  get started(): boolean {
    return this.framesRead > 0;
  }

  get error(): unknown {
    return this.failure;
  }

  /** The next frame if one is buffered; undefined when none is ready yet or the track is over. */
  read(): Mp3Frame | undefined {
    if (this.status === 'failed') return undefined;
    const frame = this.frames.read() as Mp3Frame | null;
    if (frame === null) return undefined;
    this.framesRead += 1;
    return frame;
  }

  /** True when the track will never yield another frame. */
  get finished(): boolean {
    return this.status === 'ended' || this.status === 'failed' || this.frames.destroyed;
  }

  /** Stops the song's pipeline (kills its ffmpeg) and frees its buffer. */
  dispose(): void {
    if (!this.frames.destroyed) this.frames.destroy();
  }

  private markReady(): void {
    if (this.status === 'loading' && this.frames.readableLength > 0) this.status = 'ready';
  }

  private settle(status: 'ended' | 'failed'): void {
    if (this.status === 'ended' || this.status === 'failed') return;
    this.status = status;
    this.onSettled(this);
  }
}
