import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './ports.js';
import { requirePrograms } from './prereq.js';
import { stopChild } from './stop-child.js';
import { makeTempDir } from './tmp.js';

/** Prometheus 2.42 opens its TSDB and answers /-/ready in well under a second; a loaded machine gets room. */
const READY_TIMEOUT_MS = 20_000;
/** A free port can be taken by another test between freePort() and Prometheus's bind: try again. */
const START_ATTEMPTS = 3;
const POLL_MS = 100;
const STDERR_KEEP = 8_000;
const PROMTOOL_TIMEOUT_MS = 20_000;

export interface PrometheusSample {
  readonly metric: Readonly<Record<string, string>>;
  /** [unix seconds, value as text], as the API sends it. */
  readonly value: readonly [number, string];
}

export interface QueryAnswer {
  readonly status: 'success' | 'error';
  readonly data?: { resultType: string; result: PrometheusSample[] };
  readonly errorType?: string;
  readonly error?: string;
}

/** Prometheus's HTTP API, of a server started here or by someone else. */
export interface PrometheusApi {
  /** GET /api/v1/query at the current time; a refused expression comes back with status "error", not thrown. */
  query(expr: string): Promise<QueryAnswer>;
  /** GET /api/v1/label/<label>/values restricted to series of `match`. */
  labelValues(label: string, match: string): Promise<string[]>;
  /**
   * Polls `query(expr)` until `done` holds on its samples; a request that fails (Prometheus still starting)
   * counts as no answer. Throws after `timeoutMs` with the last answer.
   */
  queryUntil(expr: string, done: (samples: PrometheusSample[]) => boolean, timeoutMs: number): Promise<PrometheusSample[]>;
}

export interface PrometheusServer extends PrometheusApi {
  /** http://127.0.0.1:port */
  readonly url: string;
  /** SIGTERM (SIGKILL after a grace), then removes the TSDB dir; safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test that throws before its afterAll must not leave a Prometheus behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Debian's `prometheus` package brings both programs. */
export function requirePrometheus(): void {
  requirePrograms('prometheus', 'promtool');
}

/** `promtool check config <path>`: what Prometheus itself makes of a config file, without starting it. */
export function checkConfig(path: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'config', path], { encoding: 'utf8', timeout: PROMTOOL_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A real `prometheus` on a free loopback port, with `config` (an object, written as YAML) and a TSDB in a temp dir. */
export async function startPrometheus(config: object): Promise<PrometheusServer> {
  requirePrometheus();
  const temp = await makeTempDir('prometheus');
  const configPath = join(temp.dir, 'prometheus.yml');
  await writeFile(configPath, stringify(config));
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await freePort();
    const started = spawnPrometheus(configPath, join(temp.dir, `data-${attempt}`), port);
    try {
      await waitReady(`http://127.0.0.1:${port}`, started);
      return serverOf(`http://127.0.0.1:${port}`, started, temp.remove);
    } catch (error) {
      lastError = error as Error;
      await stopChild(started.child);
    }
  }
  await temp.remove();
  throw lastError ?? new Error('prometheus did not start');
}

interface Started {
  readonly child: ChildProcess;
  stderr(): string;
}

function spawnPrometheus(configPath: string, dataDir: string, port: number): Started {
  const child = spawn(
    'prometheus',
    [`--config.file=${configPath}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)));
  return { child, stderr: () => stderr };
}

async function waitReady(url: string, started: Started): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`prometheus exited with ${started.child.exitCode} before it was ready: ${started.stderr()}`);
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await sleep(POLL_MS);
  }
  throw new Error(`prometheus at ${url} was not ready within ${READY_TIMEOUT_MS} ms: ${started.stderr()}`);
}

/** The API of the Prometheus at `url` (http://host:port). */
export function prometheusApi(url: string): PrometheusApi {
  const query = async (expr: string): Promise<QueryAnswer> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(10_000) });
    return (await response.json()) as QueryAnswer;
  };
  return {
    query,
    async labelValues(label, match) {
      const response = await fetch(`${url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match })}`, { signal: AbortSignal.timeout(10_000) });
      return ((await response.json()) as { data: string[] }).data;
    },
    async queryUntil(expr, done, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const answer = await query(expr).catch((error: unknown): QueryAnswer => ({ status: 'error', error: String(error) }));
        const samples = answer.data?.result ?? [];
        if (answer.status === 'success' && done(samples)) return samples;
        if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${expr}; Prometheus answered ${JSON.stringify(answer)}`);
        await sleep(POLL_MS * 2);
      }
    },
  };
}

function serverOf(url: string, started: Started, removeTemp: () => Promise<void>): PrometheusServer {
  let stopped = false;
  return {
    ...prometheusApi(url),
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(started.child);
      await removeTemp();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
