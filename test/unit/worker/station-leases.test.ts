import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { Lease } from '../../../src/store/index.js';
import { fairShare, StationLeases } from '../../../src/worker/station-leases.js';

/** Leases in memory, as Redis's scripts keep them: one holder per station, tokens that only grow. */
function fakeLeases(liveWorkers: string[]) {
  const state = { holders: new Map<string, Lease>(), tokens: 0, last: new Map<string, number>(), down: false, live: liveWorkers, released: [] as string[] };
  const refuse = () => {
    if (state.down) throw new Error('Connection is closed.');
  };
  const same = (a: Lease | undefined, b: Lease) => a?.worker === b.worker && a.token === b.token;
  const leases = {
    async claim(station: string, worker: string, _ttlMs: number, lapsed?: Lease) {
      refuse();
      const held = state.holders.get(station);
      if (held) return held.worker === worker ? held : null;
      if (lapsed && state.last.get(station) !== lapsed.token) return null;
      const lease = { station, worker, token: ++state.tokens };
      state.last.set(station, lease.token);
      state.holders.set(station, lease);
      return lease;
    },
    async renew(lease: Lease) {
      refuse();
      return same(state.holders.get(lease.station), lease);
    },
    async release(lease: Lease) {
      refuse();
      if (!same(state.holders.get(lease.station), lease)) return false;
      state.holders.delete(lease.station);
      state.released.push(lease.station);
      return true;
    },
    async heartbeat() {
      refuse();
      return [...state.live].sort();
    },
    async leave() {},
    async fleet() {
      return { workers: [], unowned: [] };
    },
  };
  return { leases, state };
}

const STATIONS = ['a', 'b', 'c', 'd', 'e'];
const noStop = async () => {};

describe('fairShare', () => {
  it('splits stations across workers within ±1, the first workers taking the remainder', () => {
    expect([0, 1, 2].map((index) => fairShare(5, 3, index))).toEqual([2, 2, 1]);
    expect([0, 1, 2].map((index) => fairShare(12, 3, index))).toEqual([4, 4, 4]);
    expect(fairShare(3, 0, 0)).toBe(3);
  });
});

describe('StationLeases', () => {
  it('claims up to its share and no more', async () => {
    const { leases, state } = fakeLeases(['w1', 'w2']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    const changes = await mine.round(async () => STATIONS, noStop);
    expect(changes.gained).toHaveLength(3);
    expect(STATIONS.filter((station) => mine.holds(station))).toHaveLength(3);
    expect([...state.holders.values()].every((lease) => lease.worker === 'w1')).toBe(true);
  });

  it('gives up extras only after they are off air, when a worker joins', async () => {
    const { leases, state } = fakeLeases(['w1']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => STATIONS, noStop);
    state.live = ['w1', 'w2', 'w3'];
    const stopped: string[] = [];
    await mine.round(async () => STATIONS, async (station) => {
      expect(state.released).not.toContain(station);
      stopped.push(station);
    });
    expect(stopped).toEqual(state.released);
    expect(STATIONS.filter((station) => mine.holds(station))).toHaveLength(2);
  });

  it('reports a station lost to another worker and stops fencing with its lease', async () => {
    const { leases, state } = fakeLeases(['w1']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a'], noStop);
    state.holders.set('a', { station: 'a', worker: 'w2', token: 99 });
    expect(await mine.round(async () => ['a'], noStop)).toEqual({ gained: [], lost: ['a'] });
    expect(mine.fenceOf('a')).toBeUndefined();
  });

  it('claims again, with a new token, a lease that lapsed while nobody took it', async () => {
    const { leases, state } = fakeLeases(['w1']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a'], noStop);
    const first = mine.fenceOf('a')!;
    state.holders.delete('a');
    expect(await mine.round(async () => ['a'], noStop)).toEqual({ gained: [], lost: [] });
    expect(mine.fenceOf('a')!.token).toBeGreaterThan(first.token);
  });

  it('loses, rather than claims again, a lapsed lease that another worker held in between', async () => {
    const { leases, state } = fakeLeases(['w1', 'w2']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a'], noStop);
    state.holders.delete('a');
    await leases.claim('a', 'w2', 1_000);
    await leases.release(state.holders.get('a')!);
    expect((await mine.round(async () => ['a'], noStop)).lost).toEqual(['a']);
  });

  it('keeps what it holds and claims nothing while Redis is away', async () => {
    const { leases, state } = fakeLeases(['w1', 'w2']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a', 'b'], noStop);
    const held = ['a', 'b'].filter((station) => mine.holds(station));
    state.down = true;
    expect(await mine.round(async () => ['a', 'b', 'c', 'd'], noStop)).toEqual({ gained: [], lost: [] });
    expect(['a', 'b', 'c', 'd'].filter((station) => mine.holds(station))).toEqual(held);
    expect(held).toHaveLength(1);
  });

  it('after Redis comes back, claims again its own lapsed leases but nobody else\'s for a quiet while', async () => {
    const { leases, state } = fakeLeases(['w1', 'w2']);
    const clock = { time: 0, now: () => clock.time };
    const timing = { ttlMs: 1_600, roundMs: 400, quietAfterOutageMs: 4_000 };
    const mine = new StationLeases(leases, 'w1', silentLogger(), timing, clock);
    const theirs = new StationLeases(leases, 'w2', silentLogger(), timing, clock);
    await mine.round(async () => ['a', 'b'], noStop);
    await theirs.round(async () => ['a', 'b'], noStop);
    const own = ['a', 'b'].find((station) => mine.holds(station))!;
    const other = ['a', 'b'].find((station) => theirs.holds(station))!;
    state.down = true;
    await mine.round(async () => ['a', 'b'], noStop);
    // The outage lets every lease and every registration lapse.
    state.down = false;
    state.holders.clear();
    state.live = ['w1'];
    expect(await mine.round(async () => ['a', 'b'], noStop)).toEqual({ gained: [], lost: [] });
    expect(mine.holds(own)).toBe(true);
    expect(mine.holds(other)).toBe(false);
    await theirs.round(async () => ['a', 'b'], noStop);
    expect(theirs.holds(other)).toBe(true);
    clock.time += timing.quietAfterOutageMs;
    state.live = ['w1', 'w2'];
    expect(await mine.round(async () => ['a', 'b'], noStop)).toEqual({ gained: [], lost: [] });
  });

  it('lets go of a station removed by an admin', async () => {
    const { leases, state } = fakeLeases(['w1']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a', 'b'], noStop);
    expect((await mine.round(async () => ['b'], noStop)).lost).toEqual(['a']);
    expect(state.holders.has('a')).toBe(false);
  });

  it('confirms a hold against the store before a mount is taken by force', async () => {
    const { leases, state } = fakeLeases(['w1']);
    const mine = new StationLeases(leases, 'w1', silentLogger());
    await mine.round(async () => ['a'], noStop);
    expect(await mine.confirm('a')).toBe(true);
    state.holders.set('a', { station: 'a', worker: 'w2', token: 99 });
    expect(await mine.confirm('a')).toBe(false);
    state.down = true;
    expect(await mine.confirm('a')).toBe(false);
    expect(await mine.confirm('zzz')).toBe(false);
  });
});
