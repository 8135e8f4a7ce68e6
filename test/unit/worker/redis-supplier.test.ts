import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { MAX_PEEK, type NextSong } from '../../../src/store/index.js';
import { OUTAGE_REPLAY_SONGS, RedisSupplier } from '../../../src/worker/redis-supplier.js';
import { captureLog } from '../../support/icecast.js';

/**
 * A playlist in memory standing in for Redis's take-next script; `down` makes every call fail as Redis
 * away does, `takeFails` only the take that records a song as played.
 */
function fakeStore(refs: string[]) {
  const state = { position: 0, down: false, takeFails: false, takes: 0 };
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
      if (state.takeFails) throw new Error('OOM command not allowed when used memory > maxmemory');
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

/** Plays `count` songs through the supplier, as a station does: prepare, then use up. */
async function play(supplier: RedisSupplier, count: number): Promise<void> {
  for (let played = 0; played < count; played += 1) supplier.consumed((await supplier.nextSong())!);
  await settle();
}

describe('RedisSupplier, more', () => {
  it('tells where each song comes from, for now playing and history', async () => {
    const { store } = fakeStore(['a', 'b']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    expect(await supplier.nextSong()).toEqual({ ref: 'a', title: 'a', artist: '', origin: { source: 'playlist', position: 1 } });
    expect(await supplier.nextSong()).toEqual({ ref: 'b', title: 'b', artist: '', origin: { source: 'playlist', position: 2 } });
  });

  it('has nothing to hand out for an empty list', async () => {
    const store = { peekNext: async () => [], takeNext: async () => null };
    expect(await new RedisSupplier(store, 'st', silentLogger()).nextSong()).toBeNull();
  });

  it('takes songs in the order they were handed out, whatever order they are used up in', async () => {
    const { store, state } = fakeStore(['a', 'b', 'c']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    const first = (await supplier.nextSong())!;
    const second = (await supplier.nextSong())!;
    supplier.consumed(second);
    await settle();
    expect(state.takes).toBe(0);
    supplier.consumed(first);
    await settle();
    expect(state.takes).toBe(2);
  });

  it('hands a forgotten song out again (an edit dropped it before it played), and never takes it', async () => {
    const { store, state } = fakeStore(['a', 'b', 'c']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    const first = (await supplier.nextSong())!;
    const second = (await supplier.nextSong())!;
    supplier.forget([first, second]);
    const again = (await supplier.nextSong())!;
    expect(again.ref).toBe('a');
    supplier.consumed(first);
    supplier.consumed(again);
    await settle();
    expect(state.takes).toBe(1);
  });

  it(`prepares at most ${MAX_PEEK} songs ahead, the most Redis will peek at`, async () => {
    const { store } = fakeStore(['a', 'b']);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    for (let handed = 0; handed < MAX_PEEK; handed += 1) expect(await supplier.nextSong()).not.toBeNull();
    expect(await supplier.nextSong()).toBeNull();
  });

  it('goes on when a song cannot be recorded as played, with a warning naming it', async () => {
    const { store, state } = fakeStore(['a', 'b', 'c']);
    const log = captureLog();
    const supplier = new RedisSupplier(store, 'st', createLogger({ destination: log }));
    state.takeFails = true;
    await play(supplier, 1);
    expect(log.lines.filter((line) => line.level === 'warn')).toMatchObject([{ song: 'a', msg: 'could not record the song as played' }]);
    state.takeFails = false;
    // The list did not move, so the song comes round again; the station is not stuck on the failed take.
    const next = (await supplier.nextSong())!;
    expect(next.ref).toBe('a');
    supplier.consumed(next);
    await settle();
    expect(state.takes).toBe(1);
  });

  it('replays the last 32 songs played, oldest first and round again, and takes none of them', async () => {
    const refs = Array.from({ length: 40 }, (_, index) => `s${index}`);
    const { store, state } = fakeStore(refs);
    const supplier = new RedisSupplier(store, 'st', silentLogger());
    await play(supplier, 40);
    state.down = true;
    const replayed: string[] = [];
    for (let count = 0; count < 33; count += 1) {
      const song = (await supplier.nextSong())!;
      expect(song.origin).toBeUndefined();
      supplier.consumed(song);
      replayed.push(song.ref);
    }
    expect(replayed).toEqual([...refs.slice(8), 's8']);
    state.down = false;
    await settle();
    expect(state.takes).toBe(40);
  });

  it('warns once when Redis goes away and says when it answers again', async () => {
    const { store, state } = fakeStore(['a', 'b']);
    const log = captureLog();
    const supplier = new RedisSupplier(store, 'st', createLogger({ destination: log }));
    await play(supplier, 1);
    state.down = true;
    await supplier.nextSong();
    await supplier.nextSong();
    state.down = false;
    await supplier.nextSong();
    expect(log.lines.filter((line) => line.level !== 'debug').map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'Redis unreachable: replaying recently played songs until it is back'],
      ['info', "Redis answers again: back to the station's own list"],
    ]);
    expect(log.lines[0]).toMatchObject({ songs: 1 });
  });
});
