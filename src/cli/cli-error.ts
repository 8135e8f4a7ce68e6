import { CommanderError } from 'commander';
import { RelaycastError } from '../errors.js';

/** Exit codes of every `relaycast` command (documented in the README). */
export const EXIT = Object.freeze({
  ok: 0,
  /** Something failed that none of the codes below describes. */
  failure: 1,
  /** Bad arguments, bad input or bad configuration: nothing was changed. */
  usage: 2,
  /** The named station, playlist, song or position does not exist. */
  notFound: 3,
  /** Redis, the relay or Icecast could not be reached. */
  unavailable: 4,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends a CLI command with a one-line message and a documented exit code. */
export class CliError extends RelaycastError {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string, options: { cause?: unknown } = {}) {
    super('ERR_CLI', message, options);
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, message);
export const notFoundError = (message: string): CliError => new CliError(EXIT.notFound, message);
export const unavailableError = (message: string, cause?: unknown): CliError =>
  new CliError(EXIT.unavailable, message, { cause });

const HELP_OR_VERSION = ['commander.helpDisplayed', 'commander.version', 'commander.help'];

/**
 * Exit codes by the stable `code` of the project's errors (ConfigError, the store's and the relay
 * client's), so that every command, `start` included, can be mapped without loading those modules.
 */
const EXIT_BY_ERROR_CODE: Readonly<Record<string, ExitCode>> = Object.freeze({
  ERR_CONFIG: EXIT.usage,
  ERR_VALIDATION: EXIT.usage,
  ERR_CONFLICT: EXIT.usage,
  // A wrong or missing token is configuration: nothing was changed and retrying will not help.
  ERR_RELAY_AUTH: EXIT.usage,
  ERR_NOT_FOUND: EXIT.notFound,
  ERR_RELAY_NOT_FOUND: EXIT.notFound,
  ERR_STORE_UNAVAILABLE: EXIT.unavailable,
  ERR_RELAY_UNAVAILABLE: EXIT.unavailable,
});

/** The documented exit code of whatever ended a command. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) return HELP_OR_VERSION.includes(error.code) ? EXIT.ok : EXIT.usage;
  if (error instanceof RelaycastError) return EXIT_BY_ERROR_CODE[error.code] ?? EXIT.failure;
  return EXIT.failure;
}
