import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { Station } from '../../../src/station/index.js';
import type { Fleet, FleetWorker, Lease, Station as StoredStation } from '../../../src/store/index.js';
import { FallbackFeeds, FEED_RETRY_MS, feederRank } from '../../../src/worker/fallback-feeds.js';

const FORMAT = { bitrateKbps: 128, sampleRate: 44100, channels: 2 } as const;

function stored(name: string, mount = `/${name}.mp3`): StoredStation {
  return { name, mount, playlist: name, format: FORMAT, mode: 'order', repeat: true, iceName: name, iceDescription: '', iceGenre: '' } as unknown as StoredStation;
}

/** Fallback leases in memory, one holder per station, as the Redis scripts keep them. */
function fakeLeases() {
  const holders = new Map<string, Lease>();
  let tokens = 0;
  const same = (a: Lease | undefined, b: Lease) => a?.worker === b.worker && a.token === b.token;
  return {
    holders,
    async claimFallback(station: string, worker: string) {
      const held = holders.get(station);
      if (held) return held.worker === worker ? held : null;
      const lease = { station, worker, token: ++tokens };
      holders.set(station, lease);
      return lease;
    },
    async renewFallback(lease: Lease) {
      return same(holders.get(lease.station), lease);
    },
    async releaseFallback(lease: Lease) {
      if (!same(holders.get(lease.station), lease)) return false;
      holders.delete(lease.station);
      return true;
    },
  };
}

function fakeSources() {
  const started: string[] = [];
  const stopped: string[] = [];
  const start = (station: StoredStation) => {
    started.push(`${station.name}@${station.mount}`);
    return { stop: async () => void stopped.push(`${station.name}@${station.mount}`) } as unknown as Station;
  };
  return { started, stopped, start };
}

/** A station's owner unless a test says otherwise: a worker elsewhere, not among the live ones it names. */
const OTHER_OWNER = 'w0';

/**
 * A fleet as readFleet returns it: `plays` maps worker → stations it holds (the `owned` stations nobody in it
 * plays are OTHER_OWNER's); feeds come from the fake leases.
 */
function fleetOf(live: string[], plays: Record<string, string[]>, leases: ReturnType<typeof fakeLeases>, owned: readonly string[] = ['jazz', 'news']): Fleet {
  const playedHere = new Set(Object.values(plays).flat());
  plays = { ...plays, [OTHER_OWNER]: [...(plays[OTHER_OWNER] ?? []), ...owned.filter((station) => !playedHere.has(station))] };
  const ids = new Set([...live, ...Object.keys(plays), ...[...leases.holders.values()].map((lease) => lease.worker)]);
  const workers: FleetWorker[] = [...ids].sort().map((id) => ({
    id,
    role: 'player',
    live: live.includes(id),
    stations: (plays[id] ?? []).map((station) => ({ station, token: 1, heldMs: 0 })),
    fallbacks: [...leases.holders.values()].filter((lease) => lease.worker === id).map((lease) => lease.station),
  }));
  return { workers, unowned: [], unfedFallbacks: [] };
}

describe('feederRank', () => {
  it('gives every candidate its own rank, the same whoever computes it', () => {
    const candidates = ['w1', 'w2', 'w3', 'w4'];
    for (const station of ['jazz', 'news', 'rock']) {
      const ranks = candidates.map((worker) => feederRank(station, worker, candidates));
      expect([...ranks].sort()).toEqual([0, 1, 2, 3]);
    }
  });

  it('spreads first places across workers', () => {
    const candidates = ['w1', 'w2', 'w3'];
    const firsts = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const first = candidates.find((worker) => feederRank(`s${i}`, worker, candidates) === 0)!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const worker of candidates) expect(firsts.get(worker)).toBeGreaterThan(8);
  });
});

describe('FallbackFeeds', () => {
  const noneOnAir = () => false;

  it('the first-ranked worker claims a free fallback at once, the second only after it stayed free a round', async () => {
    const leases = fakeLeases();
    const live = ['w1', 'w2'];
    const first = live.find((worker) => feederRank('jazz', worker, live) === 0)!;
    const second = live.find((worker) => worker !== first)!;
    const sources = fakeSources();
    const late = new FallbackFeeds(leases, second, sources.start, silentLogger());
    const round = () => late.round({ stations: [stored('jazz')], fleet: fleetOf(live, {}, leases), onAir: noneOnAir, mayClaim: true });
    await round();
    expect(late.feeds('jazz')).toBe(false);
    await round();
    expect(late.feeds('jazz')).toBe(true);
    expect(sources.started).toEqual(['jazz@/jazz.mp3']);
  });

  it('never feeds the fallback of a station it plays while another worker lives, and does when it is alone', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    const feeds = new FallbackFeeds(leases, 'w1', sources.start, silentLogger());
    for (let i = 0; i < 3; i++) await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1', 'w2'], { w1: ['jazz'] }, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(false);
    await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1'], { w1: ['jazz'] }, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(true);
  });

  it('a feeder that becomes the owner keeps feeding until its own source is on air, then gives the fallback up', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    const feeds = new FallbackFeeds(leases, 'w2', sources.start, silentLogger());
    await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w2'], {}, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(true);
    const owned = () => fleetOf(['w2', 'w3'], { w2: ['jazz'] }, leases);
    await feeds.round({ stations: [stored('jazz')], fleet: owned(), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(true);
    await feeds.round({ stations: [stored('jazz')], fleet: owned(), onAir: () => true, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(false);
    expect(leases.holders.has('jazz')).toBe(false);
    expect(sources.stopped).toEqual(['jazz@/jazz.mp3']);
  });

  it('leaves a fallback another worker feeds alone, and stops when its own lease went to another', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    await leases.claimFallback('jazz', 'w9');
    const feeds = new FallbackFeeds(leases, 'w1', sources.start, silentLogger());
    for (let i = 0; i < 4; i++) await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1', 'w9'], {}, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(false);
    leases.holders.clear();
    for (let i = 0; i < 2; i++) await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1'], {}, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(true);
    leases.holders.set('jazz', { station: 'jazz', worker: 'w9', token: 99 });
    await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1', 'w9'], {}, leases), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(false);
    expect(leases.holders.get('jazz')?.worker).toBe('w9');
  });

  it('stops the feed of a removed station and restarts one whose mount changed', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    const feeds = new FallbackFeeds(leases, 'w1', sources.start, silentLogger());
    const round = (stations: StoredStation[]) => feeds.round({ stations, fleet: fleetOf(['w1'], {}, leases), onAir: noneOnAir, mayClaim: true });
    await round([stored('jazz'), stored('news')]);
    await round([stored('jazz', '/jazz2.mp3')]);
    expect(sources.stopped.sort()).toEqual(['jazz@/jazz.mp3', 'news@/news.mp3']);
    expect(sources.started).toContain('jazz@/jazz2.mp3');
    expect(feeds.feeds('news')).toBe(false);
    expect([...leases.holders.keys()]).toEqual(['jazz']);
  });

  it('claims nothing new while the fleet settles, but keeps what it feeds', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    const feeds = new FallbackFeeds(leases, 'w1', sources.start, silentLogger());
    await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1'], {}, leases), onAir: noneOnAir, mayClaim: true });
    await feeds.round({ stations: [stored('jazz'), stored('news')], fleet: fleetOf(['w1'], {}, leases), onAir: noneOnAir, mayClaim: false });
    expect(feeds.feeds('jazz')).toBe(true);
    expect(feeds.feeds('news')).toBe(false);
  });

  it('feeds no fallback of a station nobody plays yet: it has no listeners, and its next owner is not known', async () => {
    const leases = fakeLeases();
    const feeds = new FallbackFeeds(leases, 'w1', fakeSources().start, silentLogger());
    for (let i = 0; i < 3; i++) await feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1', 'w2'], {}, leases, []), onAir: noneOnAir, mayClaim: true });
    expect(feeds.feeds('jazz')).toBe(false);
  });

  it('stopAll stops every feed and releases every fallback lease', async () => {
    const leases = fakeLeases();
    const sources = fakeSources();
    const feeds = new FallbackFeeds(leases, 'w1', sources.start, silentLogger());
    await feeds.round({ stations: [stored('jazz'), stored('news')], fleet: fleetOf(['w1'], {}, leases), onAir: noneOnAir, mayClaim: true });
    await feeds.stopAll();
    expect(leases.holders.size).toBe(0);
    expect(sources.stopped).toHaveLength(2);
  });
});

describe('FallbackFeeds when a feed cannot start', () => {
  it('leaves the fallback alone for FEED_RETRY_MS instead of claiming and releasing it every round', async () => {
    const leases = fakeLeases();
    let now = 0;
    let attempts = 0;
    const failing = () => {
      attempts++;
      throw new Error('bad mount');
    };
    const feeds = new FallbackFeeds(leases, 'w1', failing, silentLogger(), undefined, { now: () => now });
    const round = () => feeds.round({ stations: [stored('jazz')], fleet: fleetOf(['w1'], {}, leases), onAir: () => false, mayClaim: true });
    for (let i = 0; i < 5; i++) await round();
    expect(attempts).toBe(1);
    expect(leases.holders.size).toBe(0);
    now += FEED_RETRY_MS;
    await round();
    expect(attempts).toBe(2);
  });
});
