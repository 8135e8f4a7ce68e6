import type { Mp3Frame } from '../audio/index.js';
import type { Clock } from '../time/index.js';
import { PacingClock, type PacingMembership } from './pacing-clock.js';

/** How far ahead of real time the pacer may write: enough to ride out a slow tick, small enough that a skip is heard fast. */
export const DEFAULT_LEAD_MS = 400;
/**
 * Icecast 2.4 hands a source's stream to its listeners in blocks of this many bytes and only once a
 * block is full (format_mp3.c, REFBUF_SIZE). A tick that writes less than a block gives listeners
 * nothing, so they wait two ticks: that, not the timer, was the 0.18 s stall measured with 90 ms ticks.
 */
export const ICECAST_BLOCK_BYTES = 1400;
/**
 * How often the pacer wakes up when every tick fills an Icecast block anyway. Each wake-up costs CPU,
 * and a listener's largest stall is about one tick (measured: 0.157 s at 128 kb/s), well under 0.2 s.
 */
export const DEFAULT_TICK_MS = 150;

/**
 * The tick for a stream of `bytesPerSecond` whose frames are at most `frameBytes` long: DEFAULT_TICK_MS,
 * or longer where a tick's whole frames would not always fill an Icecast block (low bitrates), since a
 * shorter tick then saves no stall and only costs wake-ups.
 */
export function tickMsFor(bytesPerSecond: number, frameBytes: number): number {
  const blockFilledMs = Math.ceil((1000 * (ICECAST_BLOCK_BYTES + frameBytes)) / bytesPerSecond);
  return Math.max(DEFAULT_TICK_MS, blockFilledMs);
}

/** Frames written in one tick at most, so a long event-loop stall cannot make one huge write. */
export const MAX_FRAMES_PER_TICK = 200;

export interface PacerOptions {
  clock: Clock;
  /** Duration of one frame in microseconds (all frames of a station share one format). */
  frameDurationUs: number;
  /** The next frame to send: music when ready, otherwise keepalive silence. Never blocks. */
  nextFrame: () => Mp3Frame;
  /** Writes to the Icecast connection; called once per tick with all frames due. */
  write: (bytes: Buffer) => void;
  /** False while the Icecast connection is down: the pacer then holds its place in the song. */
  canWrite: () => boolean;
  leadMs?: number;
  /** The period of the pacer's own timer, when it has no shared one. */
  tickMs?: number;
  /** The process's one timer for every station; without it the pacer runs a timer of its own. */
  pacingClock?: PacingClock;
}

/**
 * Sends frames at real time against a wall-clock anchor: at any moment the audio sent equals the time
 * since the anchor plus a small bounded lead. Drift-free whatever the timer jitter, because each tick
 * computes what is due from the anchor instead of sleeping per frame.
 */
export class Pacer {
  private readonly options: Required<Omit<PacerOptions, 'pacingClock'>>;
  private readonly pacingClock: PacingClock;
  private anchorMs = 0;
  private sentUs = 0;
  private membership: PacingMembership | undefined;

  constructor(options: PacerOptions) {
    this.options = { leadMs: DEFAULT_LEAD_MS, tickMs: DEFAULT_TICK_MS, ...options };
    this.pacingClock = options.pacingClock ?? new PacingClock(options.clock, this.options.tickMs);
  }

  start(): void {
    if (this.membership) return;
    this.reanchor();
    this.membership = this.pacingClock.join(() => this.tick());
  }

  stop(): void {
    this.membership?.leave();
    this.membership = undefined;
  }

  /** Restart the real-time schedule from now: after a reconnect the new connection gets a fresh lead. */
  reanchor(): void {
    this.anchorMs = this.options.clock.now();
    this.sentUs = 0;
  }

  /** Microseconds of audio sent since the last anchor (for tests and stats). */
  get sentSinceAnchorUs(): number {
    return this.sentUs;
  }

  tick(): void {
    if (!this.options.canWrite()) return;
    const dueUs = (this.options.clock.now() - this.anchorMs + this.options.leadMs) * 1000;
    const frames: Buffer[] = [];
    while (this.sentUs < dueUs && frames.length < MAX_FRAMES_PER_TICK) {
      frames.push(this.options.nextFrame().bytes);
      this.sentUs += this.options.frameDurationUs;
    }
    if (frames.length > 0) this.options.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    this.dropBacklogAfterStall(dueUs);
  }

  /**
   * After a stall longer than a tick can catch up (the process was suspended), skip the missed time rather
   * than flood Icecast: a source faster than real time gets its listeners dropped for falling behind.
   */
  private dropBacklogAfterStall(dueUs: number): void {
    if (dueUs - this.sentUs > MAX_FRAMES_PER_TICK * this.options.frameDurationUs) this.reanchor();
  }
}
