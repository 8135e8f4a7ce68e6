import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_PATH } from './paths.js';
import { makeTempDir } from './tmp.js';
import { WorkerLog, type LogEvent } from './worker-log.js';
const STOP_TIMEOUT_MS = 5_000;

export type { LogEvent } from './worker-log.js';

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
  readonly events: LogEvent[];
  /** Lines of stdout that were not JSON (there should be none). */
  readonly strayOutput: string[];
  stderr(): string;
  waitForEvent(predicate: (event: LogEvent) => boolean, timeoutMs: number): Promise<LogEvent>;
  /** ffmpeg (or other) child processes of the worker right now. */
  childPids(): number[];
  /** SIGTERM, then waits for the exit; resolves with the exit code and how long stopping took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; tookMs: number }>;
}

/** Runs `relaycast start --config <file>` with the given config object and environment. */
export async function startWorker(config: object, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const temp = await makeTempDir('worker');
  const configPath = join(temp.dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  return spawnWorker(['start', '--config', configPath], env, temp.remove);
}

export function spawnWorker(args: string[], env: Record<string, string>, cleanup: () => Promise<void> = async () => {}): WorkerProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAt = performance.now();
  const log = new WorkerLog(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  return {
    child,
    spawnedAt,
    events: log.events,
    strayOutput: log.strayOutput,
    stderr: () => log.stderr(),
    waitForEvent: (predicate, timeoutMs) => log.waitForEvent(predicate, timeoutMs),
    childPids: () => childPidsOf(child.pid),
    async stop(signal = 'SIGTERM') {
      const started = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(killer);
      await cleanup();
      return { ...result, tookMs: performance.now() - started };
    },
  };
}

function childPidsOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const result = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return result.stdout.split('\n').map((line) => Number(line.trim())).filter((value) => value > 0);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
