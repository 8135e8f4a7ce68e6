import { describe, expect, it } from 'vitest';
import { DOWNLOAD_DEFAULTS, MAX_DOWNLOAD_BYTES, MIN_DOWNLOAD_BYTES_PER_SECOND, resolveDownloadLimits } from '../../../src/download/index.js';

describe('resolveDownloadLimits', () => {
  it('starts from the documented defaults: 4 s connect, 8 s first byte, 10 s idle, 32 KiB/s, 10 min in all, 200 MiB', () => {
    expect(resolveDownloadLimits()).toEqual(DOWNLOAD_DEFAULTS);
    expect(DOWNLOAD_DEFAULTS).toMatchObject({
      connectTimeoutMs: 4_000,
      firstByteTimeoutMs: 8_000,
      idleTimeoutMs: 10_000,
      minBytesPerSecond: MIN_DOWNLOAD_BYTES_PER_SECOND,
      allAttemptsTimeoutMs: 600_000,
      maxBytes: MAX_DOWNLOAD_BYTES,
    });
    expect(MIN_DOWNLOAD_BYTES_PER_SECOND).toBe(32 * 1024);
    expect(MAX_DOWNLOAD_BYTES).toBe(200 * 1024 * 1024);
  });

  it('applies overrides and ignores ones left undefined', () => {
    expect(resolveDownloadLimits({ idleTimeoutMs: 300, retries: undefined })).toEqual({ ...DOWNLOAD_DEFAULTS, idleTimeoutMs: 300 });
  });

  it('rejects an unknown limit by name, so a typo does not silently keep the default', () => {
    expect(() => resolveDownloadLimits({ idleTimeout: 5 } as never)).toThrow(/unknown download limit "idleTimeout"/);
  });

  it('rejects values that are not whole numbers in range', () => {
    expect(() => resolveDownloadLimits({ maxBytes: 0 })).toThrow(/maxBytes must be a whole number >= 1/);
    expect(() => resolveDownloadLimits({ idleTimeoutMs: 1.5 })).toThrow(RangeError);
    expect(() => resolveDownloadLimits({ retries: -1 })).toThrow(RangeError);
    expect(() => resolveDownloadLimits({ minBytesPerSecond: 0 })).toThrow(/minBytesPerSecond must be a whole number >= 1/);
    expect(resolveDownloadLimits({ retries: 0 }).retries).toBe(0);
    expect(resolveDownloadLimits({ minRateGraceMs: 0 }).minRateGraceMs).toBe(0);
  });
});
