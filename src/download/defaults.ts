/**
 * The largest audio file a download accepts. A song is 3-15 MB even as FLAC; past this it is not a song
 * (a mislabelled mix, a video, a CDN error page that never ends) and would only fill the disk.
 */
export const MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024;

/** Bounds of one download; every default lives in DOWNLOAD_DEFAULTS below. */
export interface DownloadLimits {
  /** DNS lookup, TCP connect and TLS handshake, each: a CDN that answers at all answers within this. */
  readonly connectTimeoutMs: number;
  /** No byte for this long (before or during the body) means the connection is dead or stalled. */
  readonly idleTimeoutMs: number;
  /** The whole download, every byte included: bounds a server that trickles just fast enough to stay alive. */
  readonly totalTimeoutMs: number;
  /** Bigger files are refused (by Content-Length up front, or by counting when there is none). */
  readonly maxBytes: number;
  /** Extra attempts after a network error, a timeout or a 5xx; 4xx answers are never retried. */
  readonly retries: number;
  /** The first retry waits up to this long, each next one up to twice as long, capped (see retry-delay.ts). */
  readonly retryFirstDelayMs: number;
  readonly retryCapDelayMs: number;
}

export const DOWNLOAD_DEFAULTS: DownloadLimits = Object.freeze({
  connectTimeoutMs: 4_000,
  idleTimeoutMs: 15_000,
  // MAX_DOWNLOAD_BYTES at a slow-but-healthy 1 MB/s takes ~210 s; a normal song at that rate takes seconds.
  totalTimeoutMs: 300_000,
  maxBytes: MAX_DOWNLOAD_BYTES,
  retries: 2,
  retryFirstDelayMs: 250,
  retryCapDelayMs: 2_000,
});

const LIMIT_NAMES = Object.keys(DOWNLOAD_DEFAULTS) as (keyof DownloadLimits)[];

/**
 * The defaults with `overrides` applied. Unknown names and values that are not whole numbers >= 0
 * (>= 1 for timeouts and sizes) are programming errors, rejected here rather than misbehaving later.
 */
export function resolveDownloadLimits(overrides: Partial<DownloadLimits> = {}): DownloadLimits {
  for (const name of Object.keys(overrides)) {
    if (!LIMIT_NAMES.includes(name as keyof DownloadLimits)) {
      throw new TypeError(`unknown download limit "${name}"; known limits: ${LIMIT_NAMES.join(', ')}`);
    }
  }
  const limits = { ...DOWNLOAD_DEFAULTS, ...definedOnly(overrides) };
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    const least = name === 'retries' || name === 'retryFirstDelayMs' || name === 'retryCapDelayMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(`download limit ${name} must be a whole number >= ${least}, got ${String(value)}`);
    }
  }
  return Object.freeze(limits);
}

function definedOnly(overrides: Partial<DownloadLimits>): Partial<DownloadLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
