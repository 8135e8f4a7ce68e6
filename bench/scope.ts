import type { ChildProcess } from 'node:child_process';

/** A stop function gets this long before the scope gives up on it and moves on to the next one. */
const STOP_TIMEOUT_MS = 15_000;

/** Every process the bench started, killed synchronously if the bench exits without stopping it. */
const liveChildren = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Remembers `child` until it exits, so a bench that dies does not leave it behind. */
export function trackChild(child: ChildProcess): ChildProcess {
  if (child.exitCode !== null || child.signalCode !== null) return child;
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

/**
 * What one measurement started (Icecast, workers, listeners, temp dirs), stopped in reverse order when
 * it finishes, fails, runs out of time or the bench is interrupted. Its signal aborts the measurement's
 * waits, so an interrupted measurement stops at its next await.
 */
export class Scope {
  readonly #controller = new AbortController();
  readonly #stops: { what: string; stop: () => unknown }[] = [];
  #closing: Promise<string[]> | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Registers how to stop something just started; after close() it is stopped at once. */
  add(what: string, stop: () => unknown): void {
    if (this.#closing) {
      void runStop(what, stop);
      return;
    }
    this.#stops.push({ what, stop });
  }

  /** Aborts the measurement's waits and stops everything, newest first. Resolves with the problems met. */
  close(reason = 'measurement finished'): Promise<string[]> {
    this.#closing ??= (async () => {
      this.#controller.abort(new Error(reason));
      const problems: string[] = [];
      for (const { what, stop } of this.#stops.splice(0).reverse()) {
        const problem = await runStop(what, stop);
        if (problem) problems.push(problem);
      }
      return problems;
    })();
    return this.#closing;
  }
}

async function runStop(what: string, stop: () => unknown): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`did not stop within ${STOP_TIMEOUT_MS} ms`)), STOP_TIMEOUT_MS);
    });
    await Promise.race([Promise.resolve().then(stop), timedOut]);
    return undefined;
  } catch (error) {
    return `stopping ${what}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PollOptions {
  /** Pause between attempts. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** For the error message: "mount /a.mp3 to have a source". */
  readonly what: string;
}

/**
 * Calls `probe` until it returns a value, bounded both in time and in attempts (one attempt per
 * interval at most); rejects with `what` when neither bound is met.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / Math.max(options.intervalMs, 1)) + 1;
  for (let attempt = 0; attempt < maxAttempts && performance.now() < deadline; attempt += 1) {
    if (options.signal.aborted) throw abortReason(options.signal);
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(options.intervalMs, options.signal);
  }
  throw new Error(`waited ${options.timeoutMs} ms for ${options.what}`);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
