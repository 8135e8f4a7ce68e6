import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogEvent } from '../test/support/worker-process.js';
import { makeTempDir } from '../test/support/tmp.js';
import { trackChild } from './scope.js';

/**
 * The built CLI, found from this file's place in dist/ (dist/bench/worker.js → dist/src/cli/main.js).
 * test/support/worker-process.ts resolves it from the source tree (`../../dist/...`), which points at
 * dist/dist/... once that file is itself compiled into dist/, so the bench runs the worker itself.
 */
import { CLI_PATH as BUILT_CLI_PATH } from '../test/support/paths.js';

export { BUILT_CLI_PATH };
/** After SIGTERM the worker stops within 2 s (README); past this it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

export interface BenchWorkerProcess {
  readonly child: ChildProcess;
  /** performance.now() right after spawn. */
  readonly spawnedAt: number;
  /** Its JSON log lines, parsed, in order. */
  readonly events: LogEvent[];
  stderr(): string;
  /** Resolves with the first event `predicate` accepts; rejects after timeoutMs or when the worker exits. */
  waitForEvent(predicate: (event: LogEvent) => boolean, timeoutMs: number): Promise<LogEvent>;
  /** SIGTERM, SIGKILL after STOP_TIMEOUT_MS; removes the config's temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Runs `node dist/src/cli/main.js start --config <file>` with `config` written to a temp file. */
export async function spawnBenchWorker(config: object): Promise<BenchWorkerProcess> {
  const temp = await makeTempDir('bench-worker');
  const configPath = join(temp.dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  // A clean environment, so the caller's ICECAST_*/REDIS_URL cannot leak into the measured worker.
  const child = trackChild(
    spawn(process.execPath, [BUILT_CLI_PATH, 'start', '--config', configPath], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const spawnedAt = performance.now();
  const events: LogEvent[] = [];
  const wakers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        if (line) events.push(JSON.parse(line) as LogEvent);
      } catch {
        // Not a log line; the worker prints none, and the bench does not judge that.
      }
    }
    wakeAll();
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  void exited.then(wakeAll);
  let stopping: Promise<void> | undefined;

  return {
    child,
    spawnedAt,
    events,
    stderr: () => stderr,
    waitForEvent(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`worker: no matching log event within ${timeoutMs} ms; stderr: ${stderr.slice(-300)}`)), timeoutMs);
        const done = (error: Error | undefined, event?: LogEvent) => {
          clearTimeout(timer);
          wakers.delete(check);
          if (error) reject(error);
          else resolve(event as LogEvent);
        };
        const check = () => {
          const found = events.find(predicate);
          if (found) done(undefined, found);
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before the event; stderr: ${stderr.slice(-300)}`));
        };
        wakers.add(check);
        check();
      });
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(killer);
        await temp.remove();
      })();
      return stopping;
    },
  };
}
