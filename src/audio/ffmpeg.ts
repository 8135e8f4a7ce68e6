import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ffmpegArguments, type FfmpegCommandLine } from './commands.js';
import { FfmpegLogFile } from './ffmpeg-log-file.js';

/**
 * The only module that starts ffmpeg: it runs one command line, and makes sure no ffmpeg outlives its job
 * or this process. (ffprobe runs in probe.ts: its JSON output keeps multi-line tags whole.)
 *
 * It spawns ffmpeg itself. fluent-ffmpeg, used before, always reads ffmpeg's stderr through a pipe (see
 * ffmpeg-log-file.ts for what that cost per song), ran `ffmpeg -formats` and `-encoders` before its first
 * run (0.13 CPU-s each, replaced here by nothing: a missing encoder fails ffmpeg with its own error), and
 * could not report a failed spawn: the command lines are built in commands.ts, and what was left was this.
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
  /**
   * Each line of ffmpeg's log (its stderr), in order, once ffmpeg has exited: the log goes to a file
   * meanwhile (see ffmpeg-log-file.ts), or, when no file can be made, through a pipe as it is printed.
   */
  readonly onLogLine: (line: string) => void;
  /** Called once ffmpeg is running. */
  readonly onStart?: (pid: number) => void;
  /** Default: FFMPEG_PATH from the environment, else `ffmpeg` on PATH. */
  readonly ffmpegPath?: string;
}

/**
 * One ffmpeg run. `exited` settles (never rejects) once ffmpeg has exited and its log has been read; its
 * last output may still be on its way to `stdout` then (ffmpeg exits once it is in the pipe).
 */
export class FfmpegRun {
  readonly exited: Promise<FfmpegExit>;
  private child: ChildProcess | undefined;
  private stopRequested = false;

  constructor(options: FfmpegRunOptions) {
    this.exited = this.run(options);
  }

  /** ffmpeg's process id, once it is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Ends ffmpeg: SIGTERM, then SIGKILL after KILL_GRACE_MS. Its stdout is closed first, so an ffmpeg
   * blocked on a full pipe (or flushing to one on SIGTERM) fails its write instead of waiting forever.
   * Before ffmpeg is spawned, it never is.
   */
  stop(): void {
    this.stopRequested = true;
    if (!this.child) return;
    this.child.stdout?.destroy();
    terminate(this.child);
  }

  private async run(options: FfmpegRunOptions): Promise<FfmpegExit> {
    const logFile = await FfmpegLogFile.create();
    try {
      if (this.stopRequested) return notStarted(new Error('stopped before ffmpeg started'));
      let child: ChildProcess;
      try {
        child = spawnFfmpeg(options, logFile);
      } catch (error) {
        // An argument spawn refuses (a NUL byte in it): a run that could not start, reported like
        // any other, so the owner's timers and stop() keep a run to talk to.
        return notStarted(error instanceof Error ? error : new Error(String(error)));
      }
      this.child = child;
      track(child);
      connect(child, options, () => this.stop());
      if (child.pid !== undefined) options.onStart?.(child.pid);
      const [exit] = await Promise.all([exitOf(child), logFile ? undefined : readPipedLog(child, options.onLogLine)]);
      // An unreadable log costs its lines (sample counts, loudness, problems), not the run: owners do without them.
      await logFile?.readLines(options.onLogLine).catch(() => {});
      return exit;
    } finally {
      await logFile?.close();
    }
  }
}

function notStarted(startError: Error): FfmpegExit {
  return { code: null, signal: null, startError };
}

function spawnFfmpeg(options: FfmpegRunOptions, logFile: FfmpegLogFile | undefined): ChildProcess {
  const program = options.ffmpegPath ?? process.env['FFMPEG_PATH'] ?? 'ffmpeg';
  return spawn(program, ffmpegArguments(options.command), { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', logFile ? logFile.fd : 'pipe'] });
}

/** Wires stdin and stdout; a broken stream of ours ends the run instead of throwing in the process. */
function connect(child: ChildProcess, options: FfmpegRunOptions, stop: () => void): void {
  if (child.stdin && options.stdin) {
    // ffmpeg may exit before taking all its input: the write then fails with EPIPE, which says nothing new.
    child.stdin.on('error', () => {});
    options.stdin.pipe(child.stdin);
  }
  child.stdout?.on('error', stop);
  child.stdout?.pipe(options.stdout, { end: true });
}

/** How ffmpeg ended: its exit, or why it never started. ffmpeg's stdout may still hold output then. */
function exitOf(child: ChildProcess): Promise<FfmpegExit> {
  return new Promise((resolve) => {
    child.on('error', (error) => {
      // Once started, an error is a failed kill(): the exit still comes. Before, ffmpeg never ran.
      if (child.pid === undefined) resolve(notStarted(error));
    });
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
  });
}

/** A log read through a pipe: each line as it is printed; settles once the pipe has closed. */
function readPipedLog(child: ChildProcess, onLine: (line: string) => void): Promise<void> {
  if (!child.stderr) return Promise.resolve();
  const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
  lines.on('line', onLine);
  return new Promise((resolve) => lines.once('close', resolve));
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
