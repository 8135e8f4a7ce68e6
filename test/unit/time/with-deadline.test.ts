import { describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../../src/time/index.js';

const never = new Promise<string>(() => {});

describe('withDeadline', () => {
  it("gives the work's value when it finishes in time", async () => {
    await expect(withDeadline(Promise.resolve('done'), 1_000, () => 'late')).resolves.toBe('done');
  });

  it("gives onLate()'s value once the time has passed", async () => {
    await expect(withDeadline(never, 10, () => 'late')).resolves.toBe('late');
  });

  it('rejects with what onLate() throws, and with what the work rejects with', async () => {
    await expect(withDeadline(never, 10, () => { throw new Error('too slow'); })).rejects.toThrow('too slow');
    await expect(withDeadline(Promise.reject(new Error('broken')), 1_000, () => 'late')).rejects.toThrow('broken');
  });

  it('treats a deadline already past as due at once', async () => {
    await expect(withDeadline(never, -50, () => 'late')).resolves.toBe('late');
  });

  it('leaves no timer behind once the work has finished, so it keeps no process alive', async () => {
    vi.useFakeTimers();
    try {
      await withDeadline(Promise.resolve('done'), 60_000, () => 'late');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
