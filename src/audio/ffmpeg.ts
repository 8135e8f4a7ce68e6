import type { ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegCommandLine } from './commands.js';

/**
 * The only module that talks to fluent-ffmpeg: it starts ffmpeg, and makes sure no ffmpeg outlives its
 * job or this process. (ffprobe runs in probe.ts: its JSON output keeps multi-line tags whole.)
 *
 * fluent-ffmpeg keeps the ffmpeg path process-wide (`setFfmpegPath` writes a module cache, and
 * FFMPEG_PATH is read from the environment when no path was set): a path passed here applies to every
 * later run too.
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

/** fluent-ffmpeg's internals used here; its typings declare none of them. */
interface FluentInternals {
  /** Set once ffmpeg is spawned. */
  ffmpegProc?: ChildProcess;
  _checkCapabilities: (callback: (error?: Error | null) => void) => void;
  availableEncoders: (callback: (error: Error | null, encoders: Record<string, unknown>) => void) => void;
  _getFfmpegPath: (callback: (error: Error | null, path: string) => void) => void;
}

/**
 * fluent-ffmpeg's first run in a process spawns `ffmpeg -formats` and `ffmpeg -encoders` to check that the
 * formats and codecs it was given exist (and to add `-strict experimental` to experimental encoders). Each
 * is a whole ffmpeg start (~0.13 CPU-s and ~48 MB RSS, measured: it loads some 200 shared libraries), and
 * neither check applies here: codecs and format are options of a fixed command line (commands.ts) that
 * fluent-ffmpeg does not inspect, and a missing libmp3lame fails ffmpeg with its own error. What stays is
 * the check that ffmpeg is there at all, as one access(): fluent-ffmpeg cannot report a failed spawn itself
 * (its end callback reads output buffers such a spawn never made, and throws).
 */
function replaceCapabilityCheck(command: FluentInternals): void {
  command._checkCapabilities = (callback) =>
    command._getFfmpegPath((error, path) => {
      if (error) return callback(error);
      if (!path) return callback(new Error('Cannot find ffmpeg'));
      access(path, constants.X_OK, (problem) => callback(problem));
    });
  command.availableEncoders = (callback) => callback(null, {});
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
    replaceCapabilityCheck(command as unknown as FluentInternals);
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
      const child = (command as unknown as FluentInternals).ffmpegProc;
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
      // Without a child, ffmpeg never ran: not found, or fluent-ffmpeg refused the command.
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
