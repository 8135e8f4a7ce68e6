import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import ffmpeg, { type FfprobeData } from 'fluent-ffmpeg';
import type { FfmpegCommandLine } from './commands.js';

/**
 * The only module that talks to fluent-ffmpeg: it starts ffmpeg and ffprobe, and makes sure no ffmpeg
 * outlives its job or this process.
 *
 * fluent-ffmpeg keeps the ffmpeg/ffprobe paths process-wide (`setFfmpegPath` writes a module cache, and
 * FFMPEG_PATH/FFPROBE_PATH are read from the environment when no path was set): a path passed here
 * applies to every later run too. Before the first run it spawns `ffmpeg -formats` and
 * `ffmpeg -encoders` once to check capabilities (~0.1 s).
 */

/** Time ffmpeg gets to exit after SIGTERM before it gets SIGKILL. */
export const KILL_GRACE_MS = 2000;

export interface FfmpegExit {
  /** Exit code, or null when killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why ffmpeg did not start (not installed, not executable), if it did not. */
  readonly startError?: Error;
}

export interface FfmpegRunOptions {
  readonly command: FfmpegCommandLine;
  /** ffmpeg's stdin, for a command whose input is `pipe:0` (audio held in memory, never a song). */
  readonly stdin?: Readable;
  /** Receives ffmpeg's stdout through `pipe()`, so its backpressure pauses ffmpeg. */
  readonly stdout: Writable;
  /** Each stderr line, as printed. */
  readonly onStderrLine: (line: string) => void;
  /** Called once ffmpeg is running. */
  readonly onStart?: (pid: number) => void;
  readonly ffmpegPath?: string;
}

/** fluent-ffmpeg sets this once ffmpeg is spawned; its typings do not declare it. */
interface WithChild {
  ffmpegProc?: ChildProcess;
}

/** One ffmpeg run. `exited` settles (never rejects) once ffmpeg has exited and its stderr is read. */
export class FfmpegRun {
  readonly exited: Promise<FfmpegExit>;
  private child: ChildProcess | undefined;
  private stopRequested = false;

  constructor(options: FfmpegRunOptions) {
    let settle: (exit: FfmpegExit) => void = () => {};
    this.exited = new Promise((resolve) => (settle = resolve));
    try {
      this.start(options, settle);
    } catch (error) {
      // A command fluent-ffmpeg refuses at once is a run that could not start, reported like any other: the
      // owner's timers and stop() keep a run to talk to, and nothing throws from a constructor mid-station.
      settle({ code: null, signal: null, startError: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  private start(options: FfmpegRunOptions, settle: (exit: FfmpegExit) => void): void {
    const command = ffmpeg({ stdoutLines: 20 })
      .input(options.stdin ?? options.command.input)
      .inputOptions([...options.command.inputOptions])
      .outputOptions([...options.command.outputOptions]);
    if (options.ffmpegPath !== undefined) command.setFfmpegPath(options.ffmpegPath);

    let childExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let startError: Error | undefined;
    let fluentDone = false;
    const settleWhenDone = (): void => {
      // fluent-ffmpeg reports the end once stderr is closed; the exit code comes from the child itself.
      if (!fluentDone || (this.child?.pid !== undefined && !childExit && !startError)) return;
      settle({ code: childExit?.code ?? null, signal: childExit?.signal ?? null, ...(startError ? { startError } : {}) });
    };

    command.on('start', () => {
      const child = (command as unknown as WithChild).ffmpegProc;
      if (!child) return;
      this.child = child;
      track(child);
      child.once('exit', (code, signal) => {
        childExit = { code, signal };
        settleWhenDone();
      });
      child.once('error', (error) => {
        startError = error;
        settleWhenDone();
      });
      if (this.stopRequested) this.stop();
      else if (child.pid !== undefined) options.onStart?.(child.pid);
    });
    command.on('stderr', options.onStderrLine);
    command.on('end', () => {
      fluentDone = true;
      settleWhenDone();
    });
    command.on('error', (error: Error) => {
      fluentDone = true;
      // Without a child, ffmpeg never ran: not found, or the capability check failed.
      if (!this.child || this.child.pid === undefined) startError ??= error;
      settleWhenDone();
    });
    command.pipe(options.stdout, { end: true });
  }

  /** ffmpeg's process id, once it is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Ends ffmpeg: SIGTERM, then SIGKILL after KILL_GRACE_MS. Its stdout is closed first, so an ffmpeg
   * blocked on a full pipe (or flushing to one on SIGTERM) fails its write instead of waiting forever.
   */
  stop(): void {
    this.stopRequested = true;
    if (!this.child) return;
    this.child.stdout?.destroy();
    terminate(this.child);
  }
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export function terminate(child: ChildProcess, graceMs = KILL_GRACE_MS): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  // The 'exit' hook below covers a process that ends before the grace period does.
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Remembers a running child until it exits, and kills it if this process exits first. */
function track(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Only synchronous work is possible here: no grace period, straight to SIGKILL.
    process.on('exit', () => {
      for (const live of liveChildren) live.kill('SIGKILL');
    });
  }
}

/** Pids of the ffmpeg processes started here that are still running (for diagnostics and tests). */
export function liveFfmpegPids(): number[] {
  return [...liveChildren].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** ffprobe's `-show_format -show_streams` of a local file. Rejects with ffprobe's own error. */
export function ffprobe(path: string, ffprobePath?: string): Promise<FfprobeData> {
  if (ffprobePath !== undefined) ffmpeg.setFfprobePath(ffprobePath);
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, ['-v', 'error'], (error: unknown, data: FfprobeData) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(data);
    });
  });
}
