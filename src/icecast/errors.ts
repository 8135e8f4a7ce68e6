import { RelaycastError } from '../errors.js';
import { DEFAULT_SOURCE_USER } from './defaults.js';

/**
 * Why a source connection failed, which decides how soon to try again (see retry-delay.ts):
 * - `refused`: nothing listens at the address (Icecast restarting): cheap to retry often;
 * - `network`: any other transport failure (reset, timeout, a write that never drains, Icecast hung up);
 * - `mount-in-use`: another source holds the mount, or the old connection of a crashed streamer still does;
 * - `auth`: wrong source credentials, which will not fix themselves;
 * - `rejected`: any other refusal (source limit reached, content type), which needs an operator.
 */
export type FailureKind = 'refused' | 'network' | 'mount-in-use' | 'auth' | 'rejected';

/** A failed or lost Icecast source connection. Messages never contain a password. */
export class IcecastError extends RelaycastError {
  readonly kind: FailureKind;
  readonly mount: string;
  /** The HTTP status Icecast answered, when it answered at all. */
  readonly status: number | undefined;

  constructor(
    code: string,
    kind: FailureKind,
    message: string,
    context: { mount: string; status?: number; cause?: unknown },
  ) {
    super(code, message, { cause: context.cause });
    this.kind = kind;
    this.mount = context.mount;
    this.status = context.status;
  }
}

/** 401: the source user or password is wrong. */
export class IcecastAuthError extends IcecastError {
  constructor(mount: string, username: string) {
    const who = username === DEFAULT_SOURCE_USER ? 'the source password' : `the source user "${username}" or its password`;
    super('ERR_ICECAST_AUTH', 'auth', `Icecast rejected ${who} for ${mount} (401): check ICECAST_SOURCE_PASSWORD`, {
      mount,
      status: 401,
    });
  }
}

/** 403 "Mountpoint in use": one source per mount. */
export class IcecastMountInUseError extends IcecastError {
  constructor(mount: string) {
    super(
      'ERR_ICECAST_MOUNT_IN_USE',
      'mount-in-use',
      `Icecast says ${mount} already has a source (403 Mountpoint in use): another streamer uses this mount, ` +
        'or Icecast has not yet noticed that the previous connection died; retrying',
      { mount, status: 403 },
    );
  }
}

/** Any other refusal: the source limit, a content type, an unexpected status. */
export class IcecastRejectedError extends IcecastError {
  /** Icecast's own words (the answer body, trimmed). */
  readonly reason: string;

  constructor(mount: string, status: number, reason: string, advice: string) {
    super('ERR_ICECAST_REJECTED', 'rejected', `Icecast refused the source for ${mount} (${status} ${reason}): ${advice}`, {
      mount,
      status,
    });
    this.reason = reason;
  }
}

/** The connection could not be made, or a usable one was lost. */
export class IcecastConnectionError extends IcecastError {
  constructor(kind: 'refused' | 'network', mount: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super('ERR_ICECAST_CONNECTION', kind, message, { mount, ...options });
  }
}

type AdminRequestOptions = { status?: number; cause?: unknown };

/** A request of Icecast's admin interface it did not carry out; logged by IcecastSource, never thrown at its caller. */
abstract class IcecastAdminRequestError extends RelaycastError {
  readonly mount: string;
  readonly status: number | undefined;

  constructor(code: string, mount: string, message: string, options: AdminRequestOptions) {
    super(code, message, { cause: options.cause });
    this.mount = mount;
    this.status = options.status;
  }
}

/** A killsource of a stale source that Icecast did not carry out. */
export class IcecastAdminError extends IcecastAdminRequestError {
  constructor(mount: string, message: string, options: AdminRequestOptions = {}) {
    super('ERR_ICECAST_ADMIN', mount, message, options);
  }
}

/** A title update Icecast did not confirm. */
export class IcecastMetadataError extends IcecastAdminRequestError {
  constructor(mount: string, message: string, options: AdminRequestOptions = {}) {
    super('ERR_ICECAST_METADATA', mount, message, options);
  }
}
