import { describe, expect, it } from 'vitest';
import {
  AudioUnavailableError,
  AudioUrlExpiredError,
  DownloadDeadlineError,
  DownloadError,
  DownloadWriteError,
  downloadRetryDelayMs,
  type DownloadDeadline,
} from '../../../src/download/index.js';

const policy = { retries: 3, retryFirstDelayMs: 200, retryCapDelayMs: 600 };
const networkError = new DownloadError('download of http://cdn/x stalled', { url: 'http://cdn/x' });

describe('downloadRetryDelayMs', () => {
  it('doubles the step per attempt up to the cap, drawing the delay from the upper half of the step', () => {
    expect([1, 2, 3].map((attempt) => downloadRetryDelayMs(attempt, networkError, policy, () => 0))).toEqual([100, 200, 300]);
    expect([1, 2, 3].map((attempt) => downloadRetryDelayMs(attempt, networkError, policy, () => 0.999999))).toEqual([200, 400, 600]);
  });

  it('never waits zero, so a failing CDN is not hammered in a hot loop', () => {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(downloadRetryDelayMs(attempt, networkError, policy, () => 0)).toBeGreaterThan(0);
    }
  });

  it('stops once the retries are used up', () => {
    expect(downloadRetryDelayMs(4, networkError, policy, () => 0.5)).toBe('give-up');
    expect(downloadRetryDelayMs(1, networkError, { ...policy, retries: 0 }, () => 0.5)).toBe('give-up');
  });

  it('never retries a refusal that will not change: 4xx, an expired URL, an unknown error', () => {
    expect(downloadRetryDelayMs(1, new AudioUrlExpiredError('http://cdn/x', 403), policy)).toBe('give-up');
    expect(downloadRetryDelayMs(1, new AudioUnavailableError('gone', { url: 'http://cdn/x', status: 404 }), policy)).toBe('give-up');
    expect(downloadRetryDelayMs(1, new Error('boom'), policy)).toBe('give-up');
  });

  it('retries a missed deadline of one attempt, but not the end of the time for all attempts', () => {
    const missed = (deadline: DownloadDeadline) =>
      new DownloadDeadlineError('http://cdn/x', { deadline, limitMs: 1000, bytes: 1, elapsedMs: 1000, bytesPerSecond: 1, minBytesPerSecond: 32768 });
    for (const deadline of ['connect', 'first-byte', 'idle', 'min-rate', 'size-at-min-rate'] as const) {
      expect(downloadRetryDelayMs(1, missed(deadline), policy, () => 0)).toBe(100);
    }
    expect(downloadRetryDelayMs(1, missed('all-attempts'), policy, () => 0)).toBe('give-up');
  });

  it('never retries a disk that refused the file', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(downloadRetryDelayMs(1, new DownloadWriteError('/cache/x.part', full), policy)).toBe('give-up');
  });

  it('clamps a random source outside [0, 1)', () => {
    expect(downloadRetryDelayMs(1, networkError, policy, () => -3)).toBe(100);
    expect(downloadRetryDelayMs(1, networkError, policy, () => 7)).toBe(200);
  });
});
