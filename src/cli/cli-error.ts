import { RelaycastError } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';

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
