import { RelaycastError } from '../errors.js';
import { ConflictError, LeaseLostError, NotFoundError, StoreError, StoreUnavailableError, ValidationError } from './errors.js';

// Redis appends where a script raised the error: "<message> script: <sha>, on @user_script:12."
const SCRIPT_LOCATION = /\s*script: [0-9a-f]{40}, on @user_script:\d+\.?$/;

/** Turns whatever ioredis threw into the store's typed errors. */
export function toStoreError(error: unknown): RelaycastError {
  if (error instanceof RelaycastError) return error;
  const message = error instanceof Error ? error.message.replace(SCRIPT_LOCATION, '') : String(error);
  if (error instanceof Error && error.name === 'ReplyError') {
    const space = message.indexOf(' ');
    const kind = space < 0 ? message : message.slice(0, space);
    const text = space < 0 ? message : message.slice(space + 1);
    if (kind === 'NOTFOUND') return new NotFoundError(text);
    if (kind === 'CONFLICT') return new ConflictError(text);
    if (kind === 'INVALID') return new ValidationError(text);
    if (kind === 'FENCED') return new LeaseLostError(text);
    return new StoreError(`Redis refused a store command: ${message}`, error);
  }
  // Anything else is the connection: refused, timed out, closed, or the offline queue disabled.
  return new StoreUnavailableError(`Redis is unavailable (${message}): check that it runs and --redis/REDIS_URL`, error);
}

/** Runs one store operation and rethrows its failure as a typed store error. */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error);
  }
}
