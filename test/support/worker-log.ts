import type { ChildProcess } from 'node:child_process';

export interface LogEvent {
  level: string;
  msg: string;
  station?: string;
  song?: string;
  [key: string]: unknown;
}

/**
 * A relaycast child's output as tests and the bench read it: its JSON log lines parsed in order, stdout
 * lines that were not JSON, and its stderr; waitForEvent resolves on the first event a predicate accepts.
 */
export class WorkerLog {
  readonly events: LogEvent[] = [];
  /** Lines of stdout that were not JSON (there should be none). */
  readonly strayOutput: string[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #stderr = '';
  #pending = '';
  /** 'close', not 'exit': only then has every line the process wrote been read. */
  #closed = false;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.#onStdout(text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.#stderr += text));
    child.once('close', () => {
      this.#closed = true;
      this.#wakeAll();
    });
  }

  stderr(): string {
    return this.#stderr;
  }

  /** Rejects after `timeoutMs`, or once the process has exited and its output ended without the event. */
  waitForEvent(predicate: (event: LogEvent) => boolean, timeoutMs: number): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, event?: LogEvent) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error) reject(error);
        else resolve(event as LogEvent);
      };
      const check = () => {
        const found = this.events.find(predicate);
        if (found) finish(undefined, found);
        else if (this.#closed) finish(new Error(`worker exited (${this.#child.exitCode ?? this.#child.signalCode}) before the event; stderr: ${this.#stderr.slice(-500)}`));
      };
      const timer = setTimeout(() => finish(new Error(`no matching log event within ${timeoutMs} ms; stderr: ${this.#stderr.slice(-500)}`)), timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  #onStdout(text: string): void {
    this.#pending += text;
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        this.events.push(JSON.parse(line) as LogEvent);
      } catch {
        this.strayOutput.push(line);
      }
    }
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
