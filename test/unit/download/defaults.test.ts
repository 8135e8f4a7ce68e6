import { describe, expect, it } from 'vitest';
import { DOWNLOAD_DEFAULTS, MAX_DOWNLOAD_BYTES, resolveDownloadLimits } from '../../../src/download/index.js';

describe('resolveDownloadLimits', () => {
  it('starts from the documented defaults: ~4 s connect, ~15 s idle, 200 MiB', () => {
    expect(resolveDownloadLimits()).toEqual(DOWNLOAD_DEFAULTS);
    expect(DOWNLOAD_DEFAULTS).toMatchObject({ connectTimeoutMs: 4_000, idleTimeoutMs: 15_000, maxBytes: MAX_DOWNLOAD_BYTES });
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
    expect(resolveDownloadLimits({ retries: 0 }).retries).toBe(0);
  });
});
