import { describe, expect, it } from 'vitest';
import { LISTENER_COUNT_MAX_AGE_MS, ListenerCounts } from '../../../src/web/index.js';

describe('listener counts from Icecast', () => {
  it('asks Icecast at most once per 10 s, however many callers ask', async () => {
    let now = 0;
    let asked = 0;
    const counts = new ListenerCounts(async () => new Map([['/a.mp3', ++asked]]), () => now);
    await Promise.all([counts.current(), counts.current(), counts.current()]);
    now = LISTENER_COUNT_MAX_AGE_MS - 1;
    expect((await counts.current())?.get('/a.mp3')).toBe(1);
    now = LISTENER_COUNT_MAX_AGE_MS;
    expect((await counts.current())?.get('/a.mp3')).toBe(2);
    expect(asked).toBe(2);
  });

  it('remembers an Icecast that cannot be asked as unknown (null) for as long', async () => {
    let now = 0;
    let asked = 0;
    const counts = new ListenerCounts(async () => {
      asked += 1;
      throw new Error('ECONNREFUSED');
    }, () => now);
    expect(await counts.current()).toBeNull();
    now = 5_000;
    expect(await counts.current()).toBeNull();
    expect(asked).toBe(1);
  });
});
