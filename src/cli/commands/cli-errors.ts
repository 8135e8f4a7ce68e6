import { describeError } from '../../errors.js';
import {
  RelayAuthError,
  RelayNotFoundError,
  RelayUnavailableError,
  RelayError,
} from '../../relay-client/index.js';
import { ConflictError, NotFoundError, StoreUnavailableError, ValidationError } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { FormatSyntaxError } from '../format/song-format.js';
import { RangeSyntaxError } from '../format/range.js';

function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ValidationError || error instanceof ConflictError) return EXIT.usage;
  if (error instanceof FormatSyntaxError || error instanceof RangeSyntaxError) return EXIT.usage;
  if (error instanceof NotFoundError || error instanceof RelayNotFoundError) return EXIT.notFound;
  if (error instanceof StoreUnavailableError || error instanceof RelayUnavailableError) return EXIT.unavailable;
  // A wrong or missing token is configuration: nothing was changed and retrying will not help.
  if (error instanceof RelayAuthError) return EXIT.usage;
  if (error instanceof RelayError) return EXIT.failure;
  return EXIT.failure;
}

/** Any error of a command as a CliError: one line for stderr and the documented exit code. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  return new CliError(exitCodeFor(error), describeError(error), { cause: error });
}

/** Wraps a commander action so every failure leaves as a CliError. */
export function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await run(...args);
    } catch (error) {
      throw toCliError(error);
    }
  };
}
