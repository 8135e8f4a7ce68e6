/** Where Icecast listens when it runs beside relaycast with its stock port. */
export const DEFAULT_ICECAST_URL = 'http://127.0.0.1:8000';

/** Icecast's own source user, which a mount keeps unless it sets `<username>`. */
export const DEFAULT_SOURCE_USER = 'source';

/**
 * The `charset` of title updates: 'omit' names none, and the UTF-8 bytes pass through unchanged whatever
 * the mount's `<charset>`. Measured on Icecast 2.4.4: naming UTF-8 on a mount without `<charset>` turns
 * CJK into `&#NNNN;` entities.
 */
export const DEFAULT_METADATA_CHARSET = 'omit';

/**
 * How soon to reconnect after each kind of failure; see retry-delay.ts for the formula. The source never
 * gives up, so unlike a RetryPolicy (src/time/backoff.ts) it has no attempts, only a backoff per kind.
 */
export interface ReconnectPolicy {
  /**
   * Connection refused: nothing listens yet, as while Icecast restarts. The first retry waits up to
   * this long, each next one up to twice as long, up to `refusedCapMs`. A refused connect costs
   * almost nothing, so the cap is low: the station is back within ~0.5 s of Icecast accepting.
   */
  readonly refusedFirstMs: number;
  readonly refusedCapMs: number;
  /** Other transport failures (reset, timeout, stalled writes): same shape, a little more patient. */
  readonly networkFirstMs: number;
  readonly networkCapMs: number;
  /**
   * 403 "Mountpoint in use". After a crash the old connection can hold the mount until Icecast notices
   * its socket died or `source-timeout` (10 s) passes, so expect several seconds of these.
   */
  readonly mountInUseFirstMs: number;
  readonly mountInUseCapMs: number;
  /**
   * 401 and other refusals need an operator; retrying keeps the station coming back by itself once
   * the config is fixed, but never in a hot loop: at least this long, plus up to 25 % jitter.
   */
  readonly slowMs: number;
  /**
   * For this long after its password file changed, a 401 is retried on the network backoff instead of the slow
   * delay: while a password is rotated, Icecast may reload its config a moment after the file was rewritten
   * (compose's icecast-run polls its file), and the new password is refused until it has.
   */
  readonly passwordChangeSettleMs: number;
}

export interface SourceTiming {
  /** From opening the TCP connection to Icecast's `100 Continue` (or its refusal). */
  readonly connectTimeoutMs: number;
  /**
   * A write that returned false must be followed by `drain` within this long; otherwise the peer is
   * gone without a FIN/RST (half-open TCP) and only this shows it.
   */
  readonly drainTimeoutMs: number;
  /** Streaming this long counts as healthy: the next failure backs off from the first step again. */
  readonly healthyAfterMs: number;
  /** stop() waits this long for Icecast to close the connection before destroying it. */
  readonly stopTimeoutMs: number;
  /** A title update (GET /admin/metadata) that takes longer is abandoned. */
  readonly metadataTimeoutMs: number;
  /**
   * Right after `100 Continue` Icecast may not yet list the mount, and /admin/metadata answers 400
   * "Source does not exist" to a request that races it: retry that answer this many times, this far apart.
   */
  readonly metadataNotReadyRetries: number;
  readonly metadataNotReadyDelayMs: number;
}

/** Every default of the Icecast source connection, in one place. */
export const ICECAST_SOURCE_DEFAULTS: { readonly retry: ReconnectPolicy; readonly timing: SourceTiming } = Object.freeze({
  retry: Object.freeze({
    refusedFirstMs: 200,
    refusedCapMs: 500,
    networkFirstMs: 200,
    networkCapMs: 2_000,
    mountInUseFirstMs: 500,
    mountInUseCapMs: 5_000,
    slowMs: 15_000,
    passwordChangeSettleMs: 30_000,
  }),
  timing: Object.freeze({
    connectTimeoutMs: 5_000,
    drainTimeoutMs: 5_000,
    healthyAfterMs: 30_000,
    stopTimeoutMs: 3_000,
    metadataTimeoutMs: 5_000,
    metadataNotReadyRetries: 5,
    metadataNotReadyDelayMs: 200,
  }),
});
