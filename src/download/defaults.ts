import { rejectUnknownOptions } from '../unknown-options.js';

/**
 * The largest audio file a download accepts. A song is 3-15 MB even as FLAC; past this it is not a song
 * (a mislabelled mix, a video, a CDN error page that never ends) and would only fill the disk.
 */
export const MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024;

/**
 * The slowest transfer a download accepts: 32 KiB/s is 256 kb/s, about the bitrate of the songs themselves,
 * so a download at this rate still keeps up with playing the song. A source that trickles slower is cut.
 */
export const MIN_DOWNLOAD_BYTES_PER_SECOND = 32 * 1024;

/** Bounds of one download; every default lives in DOWNLOAD_DEFAULTS below. */
export interface DownloadLimits {
  /** DNS lookup, TCP connect and TLS handshake, each: a CDN that answers at all answers within this. */
  readonly connectTimeoutMs: number;
  /** From the start of an attempt to the first byte of the body (response headers included). */
  readonly firstByteTimeoutMs: number;
  /** No byte for this long during the body means the connection is dead or stalled. */
  readonly idleTimeoutMs: number;
  /**
   * The body must keep up with this rate: after `minRateGraceMs` from the first byte, the bytes received must
   * be at least this rate times the time past the grace; with a Content-Length the whole body must also
   * arrive within max(`sizeDeadlineFloorMs`, size / this rate) of the first byte.
   */
  readonly minBytesPerSecond: number;
  /** Slow start forgiven: TCP slow start, a CDN edge fetching from its origin. */
  readonly minRateGraceMs: number;
  /** Least time a body of known size gets, so a tiny file is not held to a deadline of milliseconds. */
  readonly sizeDeadlineFloorMs: number;
  /** All attempts together, retries and the waits between them included: no song's download runs longer. */
  readonly allAttemptsTimeoutMs: number;
  /** Bigger files are refused (by Content-Length up front, or by counting when there is none). */
  readonly maxBytes: number;
  /** Extra attempts after a network error, a missed deadline or a 5xx; 4xx answers are never retried. */
  readonly retries: number;
  /** The first retry waits up to this long, each next one up to twice as long, capped (see src/time/backoff.ts). */
  readonly retryFirstDelayMs: number;
  readonly retryCapDelayMs: number;
}

export const DOWNLOAD_DEFAULTS: DownloadLimits = Object.freeze({
  connectTimeoutMs: 4_000,
  // A station's silence budget is 10 s: a CDN that has not started sending after 8 s is treated as away.
  firstByteTimeoutMs: 8_000,
  idleTimeoutMs: 10_000,
  minBytesPerSecond: MIN_DOWNLOAD_BYTES_PER_SECOND,
  minRateGraceMs: 3_000,
  sizeDeadlineFloorMs: 10_000,
  // A 15 MB FLAC at the minimum rate takes ~460 s; past 10 minutes the song is not worth waiting for.
  allAttemptsTimeoutMs: 600_000,
  maxBytes: MAX_DOWNLOAD_BYTES,
  retries: 2,
  retryFirstDelayMs: 250,
  retryCapDelayMs: 2_000,
});

const LIMIT_NAMES = Object.keys(DOWNLOAD_DEFAULTS) as (keyof DownloadLimits)[];
const MAY_BE_ZERO = new Set<keyof DownloadLimits>(['retries', 'retryFirstDelayMs', 'retryCapDelayMs', 'minRateGraceMs']);

/**
 * The defaults with `overrides` applied. Unknown names and values that are not whole numbers >= 0
 * (>= 1 for timeouts, rates and sizes) are programming errors, rejected here rather than misbehaving later.
 */
export function resolveDownloadLimits(overrides: Partial<DownloadLimits> = {}): DownloadLimits {
  rejectUnknownOptions(
    overrides,
    LIMIT_NAMES,
    (unknown) => new TypeError(`unknown download limit "${unknown.keys[0]!}"; known limits: ${unknown.known.join(', ')}`),
  );
  const limits = { ...DOWNLOAD_DEFAULTS, ...definedOnly(overrides) };
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    const least = MAY_BE_ZERO.has(name) ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(`download limit ${name} must be a whole number >= ${least}, got ${String(value)}`);
    }
  }
  return Object.freeze(limits);
}

function definedOnly(overrides: Partial<DownloadLimits>): Partial<DownloadLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
