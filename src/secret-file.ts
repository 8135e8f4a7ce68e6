import { readFile, stat } from 'node:fs/promises';
import type { Logger } from './log/index.js';

/**
 * A secret whose value may change while the process runs: a password or token given as NAME_FILE, a file in
 * the shared `secrets` volume that `relaycast setup` rewrites when the operator changes `.env`. A value given
 * directly in the environment never changes (fixedSecret).
 */
export interface Secret {
  /** The value as last read; never throws. */
  current(): string;
  /**
   * Reads the file again when it changed since the last look, and resolves to the value then current. Never
   * rejects: a file that became unreadable or empty keeps the last good value (and warns once). Looks at
   * most once per `checkEveryMs` unless `force` (a refusal that a newer value might cure).
   */
  refresh(options?: { force?: boolean }): Promise<string>;
}

export const SECRET_FILE_DEFAULTS = Object.freeze({
  /**
   * A stat() at most this often, however many connects or requests ask: a rewritten file is seen within a
   * second, and a busy relay does not stat its token file per request.
   */
  checkEveryMs: 1_000,
});

export interface SecretFileOptions {
  /** The setting the file holds, for log lines: `ICECAST_SOURCE_PASSWORD`. Its `_FILE` variable names the file. */
  readonly setting: string;
  readonly path: string;
  /** The value read at start-up (strictly: loadConfig fails when the file cannot be read then). */
  readonly initial: string;
  readonly logger: Logger;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
  readonly checkEveryMs?: number;
}

/** What identifies one version of the file: a rewrite changes the mtime or size, an atomic rename the inode. */
type Version = string;

export class SecretFile implements Secret {
  readonly #setting: string;
  readonly #path: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #checkEveryMs: number;
  #value: string;
  #version: Version | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<string> | undefined;
  /** A problem has been logged and not yet cleared by a good read: it is not logged again meanwhile. */
  #warned = false;

  constructor(options: SecretFileOptions) {
    this.#setting = options.setting;
    this.#path = options.path;
    this.#value = options.initial;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => performance.now());
    this.#checkEveryMs = options.checkEveryMs ?? SECRET_FILE_DEFAULTS.checkEveryMs;
  }

  current(): string {
    return this.#value;
  }

  refresh(options: { force?: boolean } = {}): Promise<string> {
    // Callers at the same moment share one look at the file.
    if (this.#pending) return this.#pending;
    if (!options.force && this.#now() - this.#checkedAt < this.#checkEveryMs) return Promise.resolve(this.#value);
    this.#checkedAt = this.#now();
    this.#pending = this.#look(options.force === true).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #look(force: boolean): Promise<string> {
    let text: string;
    let version: Version;
    try {
      const stats = await stat(this.#path);
      version = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      if (version === this.#version && !force) return this.#value;
      text = (await readFile(this.#path, 'utf8')).trim();
    } catch (error) {
      this.#warnOnce({ code: (error as NodeJS.ErrnoException).code ?? 'error' }, 'cannot read the secret file: keeping the value read before');
      return this.#value;
    }
    if (text === '') {
      // A file being rewritten in place can be empty for a moment: the next look reads it again.
      this.#warnOnce({}, 'the secret file is empty: keeping the value read before');
      return this.#value;
    }
    this.#version = version;
    if (this.#warned) this.#logger.info({ setting: this.#setting, file: this.#path }, 'the secret file is readable again');
    this.#warned = false;
    if (text !== this.#value) {
      this.#value = text;
      // The value itself is never logged.
      this.#logger.info({ setting: this.#setting, file: this.#path }, 'the secret file changed: using its new value from now on');
    }
    return this.#value;
  }

  #warnOnce(fields: Record<string, unknown>, message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn({ setting: this.#setting, file: this.#path, ...fields }, `${message}; check ${this.#setting}_FILE`);
  }
}

/** A value given directly (not through a file): it stays what it was at start-up. */
export function fixedSecret(value: string): Secret {
  return { current: () => value, refresh: () => Promise.resolve(value) };
}

/** The secret `setting` as configured: re-read from `file` when one was given, else fixed. */
export function secretOf(options: { setting: string; value: string; file: string | undefined; logger: Logger; now?: () => number; checkEveryMs?: number }): Secret {
  const { file, value, ...rest } = options;
  return file ? new SecretFile({ ...rest, path: file, initial: value }) : fixedSecret(value);
}
