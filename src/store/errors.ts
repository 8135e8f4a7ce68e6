import { RelaycastError } from '../errors.js';

// The store's input errors are the project's one ValidationError, so the CLI maps them once.
export { ValidationError } from '../errors.js';

/** A station, playlist or position that does not exist. */
export class NotFoundError extends RelaycastError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

/** A valid request that conflicts with what is stored: a name or mount already taken, a playlist in use. */
export class ConflictError extends RelaycastError {
  constructor(message: string) {
    super('ERR_CONFLICT', message);
  }
}

/** A station owner's write refused because its lease ended or passed to another worker. */
export class LeaseLostError extends RelaycastError {
  constructor(message: string) {
    super('ERR_LEASE_LOST', message);
  }
}

/** Redis could not be reached or dropped the connection; nothing can be assumed to have changed. */
export class StoreUnavailableError extends RelaycastError {
  constructor(message: string, cause?: unknown) {
    super('ERR_STORE_UNAVAILABLE', message, { cause });
  }
}

/** Redis answered with something the store did not expect (a wrong key type, a script bug). */
export class StoreError extends RelaycastError {
  constructor(message: string, cause?: unknown) {
    super('ERR_STORE', message, { cause });
  }
}
