import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerLog, type LogEvent } from '../test/support/worker-log.js';
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

/** Runs `dist/src/cli/main.js start --config <file>` (by its shebang) with `config` written to a temp file. */
export async function spawnBenchWorker(config: object): Promise<BenchWorkerProcess> {
  const temp = await makeTempDir('bench-worker');
  const configPath = join(temp.dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  // A clean environment, so the caller's ICECAST_*/REDIS_URL cannot leak into the measured worker.
  const child = trackChild(
    // By its shebang, as an operator runs `relaycast start`: the shebang's V8 flags are part of what is measured.
    spawn(BUILT_CLI_PATH, ['start', '--config', configPath], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const spawnedAt = performance.now();
  const log = new WorkerLog(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;

  return {
    child,
    spawnedAt,
    events: log.events,
    stderr: () => log.stderr(),
    waitForEvent: (predicate, timeoutMs) => log.waitForEvent(predicate, timeoutMs),
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
