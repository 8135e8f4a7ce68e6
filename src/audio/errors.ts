import { RelaycastError } from '../errors.js';

/** Options of an audio function that cannot work (a programming or configuration mistake, thrown at once). */
export class AudioOptionError extends RelaycastError {
  constructor(message: string) {
    super('ERR_AUDIO_OPTION', message);
  }
}

export interface TranscodeErrorDetails {
  /** The input as it may be logged (URLs without query strings or credentials). */
  readonly input: string;
  /** ffmpeg's exit code, or null when it did not exit by itself (not started, killed by a signal). */
  readonly exitCode: number | null;
  readonly signal?: string | null;
  /** The last warning and error lines ffmpeg logged, oldest first; its log is read once it has exited (none after a stall). */
  readonly stderrTail?: readonly string[];
  /** Frames the stream had already produced when the failure surfaced. */
  readonly framesBefore?: number;
  readonly cause?: unknown;
}

/**
 * ffmpeg could not turn a song into frames: the input is missing or undecodable, or ffmpeg failed.
 * When frames came before the error (a download cut mid-song) they are the song's valid part: the
 * station treats "frames then TranscodeError" as the end of the song.
 */
export class TranscodeError extends RelaycastError {
  readonly input: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: readonly string[];
  readonly framesBefore: number;

  constructor(reason: string, details: TranscodeErrorDetails, code = 'ERR_TRANSCODE') {
    super(code, `cannot transcode ${details.input}: ${reason}`, { cause: details.cause });
    this.input = details.input;
    this.exitCode = details.exitCode;
    this.signal = details.signal ?? null;
    this.stderrTail = details.stderrTail ?? [];
    this.framesBefore = details.framesBefore ?? 0;
  }
}

/**
 * ffmpeg went too long without an MP3 frame (see TranscodeDeadlines): its source sends nothing, trickles or
 * stalled. ffmpeg is stopped; frames that came before are the song's valid part, as for any TranscodeError.
 */
export class TranscodeStalledError extends TranscodeError {
  readonly deadline: 'first-frame' | 'stall';
  readonly limitMs: number;

  constructor(reason: string, details: TranscodeErrorDetails & { deadline: 'first-frame' | 'stall'; limitMs: number }) {
    super(reason, details, 'ERR_TRANSCODE_STALLED');
    this.deadline = details.deadline;
    this.limitMs = details.limitMs;
  }
}

/** ffprobe could not read a file's tags: it is missing, unreadable or not audio. */
export class ProbeError extends RelaycastError {
  readonly path: string;

  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super('ERR_PROBE', `cannot read tags of ${path}: ${reason}`, options);
    this.path = path;
  }
}

/**
 * ffmpeg could not decode or encode the short piece of audio a crossfade is made of (it failed, or missed
 * its deadline on a loaded machine). Nothing is lost: the two songs join without a crossfade.
 */
export class CrossfadeError extends RelaycastError {
  constructor(stage: 'decode' | 'encode', reason: string, options: { cause?: unknown } = {}) {
    super('ERR_CROSSFADE', `crossfade: cannot ${stage} the join (${reason}); the songs join without one`, options);
  }
}
