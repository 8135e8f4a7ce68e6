import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { CLI_PATH, REPO_ROOT } from './paths.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  readonly elapsedMs: number;
}

export interface RunCliOptions {
  /** Added to a clean environment (PATH and HOME only, so the caller's REDIS_URL cannot leak in). */
  readonly env?: Record<string, string>;
  /** Written to the process's stdin, which is then closed. */
  readonly stdin?: string;
  /** Killed after this long; the result then has code null. */
  readonly timeoutMs?: number;
}

export { CLI_PATH };

/** Runs `relaycast <args>` as a separate process, like a user at a shell. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run npm run build first`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
    // A command that does not read stdin may exit before we finish writing: that is fine.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

export interface BoundCli {
  /** Runs `relaycast <args>` with the bound environment; `options.env` adds to it. */
  run(args: readonly string[], options?: RunCliOptions): Promise<CliResult>;
  /** Runs it and expects success: exit code 0 and nothing on stderr. Returns what it printed on stdout. */
  ok(args: readonly string[], options?: RunCliOptions): Promise<string>;
}

/**
 * The CLI pointed at a test file's services. `env` is called at each run, because the services' addresses
 * are known only once beforeAll has started them.
 */
export function cliAgainst(env: () => Record<string, string>): BoundCli {
  const run = (args: readonly string[], options: RunCliOptions = {}) => runCli(args, { ...options, env: { ...env(), ...options.env } });
  return {
    run,
    async ok(args, options) {
      const result = await run(args, options);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return result.stdout;
    },
  };
}
