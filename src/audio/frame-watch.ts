import { LazyDeadline } from '../time/index.js';
import { rejectUnknownOptions } from '../unknown-options.js';
import { AudioOptionError } from './errors.js';

/** How long ffmpeg may go without an MP3 frame; every default in TRANSCODE_DEADLINES. */
export interface TranscodeDeadlines {
  /** From the start to ffmpeg's first frame: a source that sends nothing, or trickles, is given up. */
  readonly firstFrameMs: number;
  /**
   * Between two frames while frames are wanted (the consumer waits, or the ready buffer is low). Time in which
   * ffmpeg is held back by a full buffer does not count: that wait is ours, not the source's.
   */
  readonly stallMs: number;
}

/**
 * A station's silence budget is 10 s: 8 s leaves room to start the next song. ffmpeg's own -rw_timeout
 * (commands.ts) never trips on a source that trickles a byte now and then; these do.
 */
export const TRANSCODE_DEADLINES: TranscodeDeadlines = Object.freeze({ firstFrameMs: 8_000, stallMs: 8_000 });

const DEADLINE_NAMES = Object.keys(TRANSCODE_DEADLINES) as (keyof TranscodeDeadlines)[];

/** The defaults with `overrides` applied; unknown names and values that are not whole ms >= 1 throw. */
export function resolveTranscodeDeadlines(overrides: Partial<TranscodeDeadlines> = {}): TranscodeDeadlines {
  rejectUnknownOptions(
    overrides,
    DEADLINE_NAMES,
    (unknown) => new AudioOptionError(`transcode: unknown deadline "${unknown.keys[0]!}"; known deadlines: ${unknown.known.join(', ')}`),
  );
  const deadlines = { ...TRANSCODE_DEADLINES, ...overrides };
  for (const name of DEADLINE_NAMES) {
    if (!Number.isSafeInteger(deadlines[name]) || deadlines[name] < 1) {
      throw new AudioOptionError(`transcode: deadline ${name} must be a whole number of ms >= 1, got ${String(deadlines[name])}`);
    }
  }
  return Object.freeze(deadlines);
}

export type FrameDeadline = 'first-frame' | 'stall';

/**
 * Watches ffmpeg's frames against TranscodeDeadlines. Frames only move the deadline later, so they cost
 * no timer work (see LazyDeadline).
 */
export class FrameWatch {
  /** Start, last frame, or the moment frames were wanted again: whichever is latest. */
  private since = performance.now();
  private framesSeen = false;
  private wanted = true;
  private readonly deadline: LazyDeadline<{ deadline: FrameDeadline; limitMs: number }>;

  constructor(deadlines: TranscodeDeadlines, onTrip: (deadline: FrameDeadline, limitMs: number) => void) {
    this.deadline = new LazyDeadline(
      () => {
        if (!this.wanted) return undefined;
        const what = this.framesSeen
          ? { deadline: 'stall' as const, limitMs: deadlines.stallMs }
          : { deadline: 'first-frame' as const, limitMs: deadlines.firstFrameMs };
        return { at: this.since + what.limitMs, what };
      },
      (what) => onTrip(what.deadline, what.limitMs),
    );
    this.deadline.check();
  }

  frame(): void {
    this.since = performance.now();
    if (!this.framesSeen) {
      this.framesSeen = true;
      // The stall deadline may be shorter than what is left of the first-frame one.
      this.deadline.check();
    }
  }

  /** The buffer is full and ffmpeg is paused on purpose: no deadline runs. */
  hold(): void {
    this.wanted = false;
    this.deadline.check();
  }

  /** Frames are wanted again; the stall deadline counts from now. */
  want(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.since = performance.now();
    this.deadline.check();
  }

  stop(): void {
    this.deadline.stop();
  }
}
