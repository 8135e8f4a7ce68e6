import { ConfigError } from './errors.js';

/** The keys a caller passed that the receiver does not take, and the ones it does. */
export interface UnknownOptions {
  /** In the order the caller gave them. */
  readonly keys: readonly string[];
  /** Listed in the message so the reader sees which key was meant. */
  readonly known: readonly string[];
}

/** "unknown option(s) retries (known: baseUrl, token)"; `noun` names the kind of option when it helps. */
export function describeUnknownOptions(unknown: UnknownOptions, noun = 'option'): string {
  return `unknown ${noun}(s) ${unknown.keys.join(', ')} (known: ${unknown.known.join(', ')})`;
}

/**
 * Throws the receiver's own error when `options` holds a key it does not take. Options are checked up
 * front, as got does, because a misspelt option would otherwise be ignored and its default used silently.
 */
export function rejectUnknownOptions(
  options: object,
  known: Iterable<string>,
  makeError: (unknown: UnknownOptions) => Error,
): void {
  const knownKeys = [...known];
  const keys = Object.keys(options).filter((key) => !knownKeys.includes(key));
  if (keys.length > 0) throw makeError({ keys, known: knownKeys });
}

/** The check for configuration keys: the ConfigError names the first unknown key in full (`icecast.ice.nam`). */
export function rejectUnknownConfigKeys(prefix: string, value: object, known: Iterable<string>): void {
  rejectUnknownOptions(value, known, (unknown) => new ConfigError(`${prefix}.${unknown.keys[0]!}`, describeUnknownOptions(unknown)));
}
