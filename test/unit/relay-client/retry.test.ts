import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs } from '../../../src/relay-client/retry.js';

const policy = { attempts: 4, firstDelayMs: 100, capDelayMs: 250 };

describe('retryDelayMs', () => {
  it('retries network errors and 5xx, exponentially and capped', () => {
    const max = () => 0.999999;
    expect(retryDelayMs(1, { kind: 'network' }, policy, max)).toBe(100);
    expect(retryDelayMs(2, { kind: 'status', status: 503 }, policy, max)).toBe(200);
    expect(retryDelayMs(3, { kind: 'network' }, policy, max)).toBe(250);
  });

  it('jitters between half and all of the delay', () => {
    expect(retryDelayMs(1, { kind: 'network' }, policy, () => 0)).toBe(50);
  });

  it('gives up after the last attempt', () => {
    expect(retryDelayMs(4, { kind: 'network' }, policy)).toBe('give-up');
    expect(retryDelayMs(DEFAULT_RETRY_POLICY.attempts, { kind: 'network' })).toBe('give-up');
  });

  it('never retries answers: 4xx, 422, or a 5xx the relay marks not retryable', () => {
    for (const status of [400, 401, 404, 422]) expect(isRetryable({ kind: 'status', status })).toBe(false);
    expect(retryDelayMs(1, { kind: 'status', status: 502, retryable: false }, policy)).toBe('give-up');
    expect(retryDelayMs(1, { kind: 'status', status: 502, retryable: true }, policy)).not.toBe('give-up');
  });
});
