import { RelaycastError } from '../errors.js';

/** Base of the relay client's errors; `url` is the request URL without its query string. */
export class RelayError extends RelaycastError {
  readonly url: string;
  readonly status: number | undefined;

  constructor(code: string, message: string, details: { url: string; status?: number; cause?: unknown }) {
    super(code, message, { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
  }
}

/** The relay could not be reached, timed out, or kept failing with 5xx after the retries. */
export class RelayUnavailableError extends RelayError {
  constructor(message: string, details: { url: string; status?: number; cause?: unknown }) {
    super('ERR_RELAY_UNAVAILABLE', message, details);
  }
}

/** 401/403: the token is missing or wrong; retrying will not help. */
export class RelayAuthError extends RelayError {
  constructor(details: { url: string; status: number }) {
    super('ERR_RELAY_AUTH', `the relay refused the token (${details.status}): check RELAY_TOKEN / --relay-token`, details);
  }
}

/** The relay says the playlist does not exist. */
export class RelayNotFoundError extends RelayError {
  constructor(message: string, details: { url: string; status: number }) {
    super('ERR_RELAY_NOT_FOUND', message, details);
  }
}

/** The relay answered a playlist request with its error object (`reason` from the relay). */
export class RelayRejectedError extends RelayError {
  readonly reason: string;
  readonly retryable: boolean;

  constructor(message: string, details: { url: string; status: number; reason: string; retryable: boolean }) {
    super('ERR_RELAY_REJECTED', message, details);
    this.reason = details.reason;
    this.retryable = details.retryable;
  }
}

/** The relay answered something this client cannot use: bad JSON, a wrong shape, an unexpected status. */
export class RelayResponseError extends RelayError {
  constructor(message: string, details: { url: string; status?: number; cause?: unknown }) {
    super('ERR_RELAY_RESPONSE', message, details);
  }
}
