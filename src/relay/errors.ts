import { RelaycastError } from '../errors.js';

/** The ref is well-formed but names nothing: a missing local file or M3U, an unknown playlist. */
export class NotFoundError extends RelaycastError {
  readonly ref: string;

  constructor(ref: string, what: string) {
    super('ERR_RELAY_NOT_FOUND', `${ref}: ${what}`);
    this.ref = ref;
  }
}

/** An upstream could not answer a playlist request (songs report this as an `upstream-error` resolution). */
export class UpstreamError extends RelaycastError {
  readonly ref: string;
  readonly retryable: boolean;

  constructor(ref: string, detail: string, retryable: boolean) {
    super('ERR_RELAY_UPSTREAM', `${ref}: ${detail}`);
    this.ref = ref;
    this.retryable = retryable;
  }
}

/** The ref is for a provider this relay does not run (its config section is missing). */
export class ProviderDisabledError extends RelaycastError {
  readonly ref: string;

  constructor(ref: string, provider: string) {
    super('ERR_RELAY_PROVIDER_DISABLED', `${ref}: the ${provider} provider is not configured on this relay`);
    this.ref = ref;
  }
}
