import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { NextSong } from '../../../src/store/index.js';
import { OUTAGE_REPLAY_SONGS, RedisSupplier } from '../../../src/worker/redis-supplier.js';

/** A playlist in memory standing in for Redis's take-next script; `down` makes every call fail as Redis away does. */
function fakeStore(refs: string[]) {
  const state = { position: 0, down: false, takes: 0 };
  const at = (index: number): NextSong => ({ ref: refs[index % refs.length]!, source: 'playlist', position: (index % refs.length) + 1 });
  const refuse = () => {
    if (state.down) throw new Error('Connection is closed.');
  };
  const store = {
    async peekNext(_station: string, count: number) {
      refuse();
      return Array.from({ length: count }, (_, index) => at(state.position + index));
    },
    async takeNext() {
      refuse();
      state.takes += 1;
      return at(state.position++);
    },
  };
  return { store, state };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RedisSupplier', () => {
  it('hands out the list in order and takes each song once it is used up', async () => {
    const { store, state } = fakeStore(['a', 'b', 'c']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    const first = (await supplier.nextSong())!;
    const second = (await supplier.nextSong())!;
    expect([first.ref, second.ref]).toEqual(['a', 'b']);
    supplier.consumed(first);
    supplier.consumed(second);
    expect((await supplier.nextSong())!.ref).toBe('c');
    expect(state.takes).toBe(2);
  });

  it('replays recently played songs while Redis is away, and goes back to the list when it answers', async () => {
    const { store, state } = fakeStore(['a', 'b', 'c', 'd']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    for (let played = 0; played < 2; played += 1) supplier.consumed((await supplier.nextSong())!);
    await settle();
    state.down = true;
    const during = [await supplier.nextSong(), await supplier.nextSong(), await supplier.nextSong()].map((song) => song!.ref);
    expect(during).toEqual(['a', 'b', 'a']);
    for (const song of during) supplier.consumed({ ref: song, title: song, artist: '' });
    state.down = false;
    expect((await supplier.nextSong())!.ref).toBe('c');
    expect(state.takes).toBe(2);
  });

  it('has nothing to replay before a song has played: the outage reaches the programme, which retries', async () => {
    const { store, state } = fakeStore(['a']);
    state.down = true;
    await expect(new RedisSupplier(store, 'st', silentLogger()).nextSong()).rejects.toThrow(/closed/);
  });

  it(`remembers at most ${OUTAGE_REPLAY_SONGS} songs to replay`, async () => {
    const refs = Array.from({ length: OUTAGE_REPLAY_SONGS + 5 }, (_, index) => `s${index}`);
    const { store, state } = fakeStore(refs);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    for (let played = 0; played < refs.length; played += 1) supplier.consumed((await supplier.nextSong())!);
    await settle();
    state.down = true;
    expect((await supplier.nextSong())!.ref).toBe('s5');
  });
});
