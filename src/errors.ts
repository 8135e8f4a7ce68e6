/**
 * One error hierarchy for the whole project (modelled on got's): a stable machine `code`,
 * a message a station operator can act on, and the original error as `cause`.
 */
export class RelaycastError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value that cannot be used; `key` names it the way the operator wrote it. */
export class ConfigError extends RelaycastError {
  readonly key: string;

  constructor(key: string, problem: string) {
    super('ERR_CONFIG', `config: ${key}: ${problem}`);
    this.key = key;
  }
}

/** Input refused before anything was touched: a bad name, ref, mount, option or value. */
export class ValidationError extends RelaycastError {
  constructor(message: string) {
    super('ERR_VALIDATION', message);
  }
}

/** One line for humans: the message of the error and of each cause, without stack traces. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ').replace(/\s+/g, ' ').trim() || 'unknown error';
}

/**
 * A short, printable, one-line rendering of untrusted input for error messages: cut at `max` characters,
 * as the reader needs to recognise the value, not read it all.
 */
export function quoteInput(text: string, max = 60): string {
  // JSON.stringify keeps the message on one line whatever control characters the input holds.
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
