import { createHash } from 'node:crypto';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Station } from '../station/index.js';
import type { Fleet, Lease, Station as StoredStation, StoreLeases } from '../store/index.js';
import { systemClock, type Clock } from '../time/index.js';
import { LEASE_TIMING, type LeaseTiming } from './station-leases.js';

/** After a feed could not start, how long this worker leaves that fallback to others (no claim-fail-release spin). */
export const FEED_RETRY_MS = 10_000;

/** What one round of fallback feeding looks at, all read at the start of the round. */
export interface FeedRound {
  readonly stations: readonly StoredStation[];
  readonly fleet: Fleet;
  /** Whether this worker's own source of the station is on Icecast now. */
  readonly onAir: (station: string) => boolean;
  /** false while the fleet settles after a Redis outage: keep feeding what is held, claim nothing new. */
  readonly mayClaim: boolean;
}

interface Feed {
  lease: Lease;
  stored: StoredStation;
  source: Station;
}

/** Settings that need a new fallback source when they change: where it streams and in which format. */
function feedKey(station: StoredStation): string {
  return JSON.stringify([station.mount, station.format]);
}

/**
 * Where `worker` stands among `candidates` for feeding `station`'s fallback (0 = first): rendezvous hashing,
 * so every worker computes the same order without talking, and a worker joining or leaving only moves the
 * fallbacks it wins or held.
 */
export function feederRank(station: string, worker: string, candidates: readonly string[]): number {
  const score = (id: string) => createHash('sha1').update(`${id}\n${station}`).digest().readUInt32BE(0);
  const mine = score(worker);
  return candidates.filter((id) => id !== worker && (score(id) > mine || (score(id) === mine && id < worker))).length;
}

/**
 * The fallback mounts this worker feeds with paced silence, one fallback lease each. A station's fallback is
 * fed by a worker other than its owner whenever there is one, so no single worker's death takes both: its
 * listeners then wait on silence until the next owner is on air. Among the other live workers the first in
 * feederRank order claims a free fallback at once, the next one a round later, and so on, so a fallback
 * never stays unfed for long and the load spreads without a coordinator.
 */
export class FallbackFeeds {
  private readonly feeding = new Map<string, Feed>();
  /** Rounds each free fallback has been seen unfed: a worker ranked r claims it after r rounds. */
  private readonly unfedRounds = new Map<string, number>();
  /** Fallbacks whose feed failed to start, and until when (clock time) this worker does not try again. */
  private readonly failedUntil = new Map<string, number>();

  constructor(
    private readonly leases: Pick<StoreLeases, 'claimFallback' | 'renewFallback' | 'releaseFallback'>,
    readonly worker: string,
    /** A started source of encoded silence on the station's fallback mount. */
    private readonly startFeed: (stored: StoredStation) => Station,
    private readonly logger: Logger,
    private readonly timing: LeaseTiming = LEASE_TIMING,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  feeds(station: string): boolean {
    return this.feeding.has(station);
  }

  /** Whether the worker still feeds the fallback, asked of Redis now: before it takes the mount by force. */
  async confirm(station: string): Promise<boolean> {
    const feed = this.feeding.get(station);
    if (!feed) return false;
    return this.leases.renewFallback(feed.lease, this.timing.ttlMs).catch(() => false);
  }

  async round({ stations, fleet, onAir, mayClaim }: FeedRound): Promise<void> {
    const stored = new Map(stations.map((station) => [station.name, station]));
    const owners = new Map(fleet.workers.flatMap((worker) => worker.stations.map((held) => [held.station, worker.id] as const)));
    const feeders = new Map(fleet.workers.flatMap((worker) => worker.fallbacks.map((station) => [station, worker.id] as const)));
    const live = fleet.workers.filter((worker) => worker.live).map((worker) => worker.id);
    for (const [name, feed] of [...this.feeding]) {
      const why = this.reasonToStop(stored.get(name), feed, owners.get(name), live, onAir(name));
      if (why) await this.stop(name, why);
      else await this.renew(name, feed);
    }
    if (!mayClaim) return;
    for (const station of stations) {
      const owner = owners.get(station.name);
      // Unowned: nobody streams it, so it has no listeners to keep yet; claiming now could pick its next owner.
      if (this.feeding.has(station.name) || owner === undefined) continue;
      if (feeders.has(station.name) && feeders.get(station.name) !== this.worker) {
        this.unfedRounds.delete(station.name);
        continue;
      }
      await this.maybeClaim(station, this.candidates(owner, live));
    }
    for (const names of [this.unfedRounds, this.failedUntil]) for (const name of names.keys()) if (!stored.has(name)) names.delete(name);
  }

  /** Stops every feed and gives the fallbacks up, so other workers claim them at their next round. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.feeding.keys()].map((name) => this.stop(name, 'the worker is stopping')));
  }

  /** Live workers that may feed a station's fallback: all but its owner, or the owner alone when it is the only one. */
  private candidates(owner: string, live: readonly string[]): string[] {
    const others = live.filter((id) => id !== owner);
    return others.length > 0 ? others : [...live];
  }

  private reasonToStop(latest: StoredStation | undefined, feed: Feed, owner: string | undefined, live: readonly string[], ownOnAir: boolean): string | undefined {
    if (!latest) return 'the station was removed';
    if (feedKey(latest) !== feedKey(feed.stored)) return 'its mount or format changed';
    // Only once its own source is on air: until then the station's listeners may be waiting on this fallback.
    if (owner === this.worker && ownOnAir && live.some((id) => id !== this.worker)) return 'this worker plays the station now; another one feeds its fallback';
    return undefined;
  }

  private async renew(name: string, feed: Feed): Promise<void> {
    if (await this.leases.renewFallback(feed.lease, this.timing.ttlMs)) return;
    const again = await this.leases.claimFallback(name, this.worker, this.timing.ttlMs, feed.lease);
    if (again) feed.lease = again;
    else await this.stop(name, 'another worker feeds it now', false);
  }

  private async maybeClaim(station: StoredStation, candidates: readonly string[]): Promise<void> {
    if (!candidates.includes(this.worker) || this.clock.now() < (this.failedUntil.get(station.name) ?? 0)) return;
    const rounds = this.unfedRounds.get(station.name) ?? 0;
    this.unfedRounds.set(station.name, rounds + 1);
    if (rounds < feederRank(station.name, this.worker, candidates)) return;
    const lease = await this.leases.claimFallback(station.name, this.worker, this.timing.ttlMs);
    if (!lease) return;
    this.unfedRounds.delete(station.name);
    try {
      this.feeding.set(station.name, { lease, stored: station, source: this.startFeed(station) });
      this.logger.info({ station: station.name, worker: this.worker }, 'feeding the station\'s fallback mount');
    } catch (error) {
      this.failedUntil.set(station.name, this.clock.now() + FEED_RETRY_MS);
      await this.leases.releaseFallback(lease).catch(() => false);
      this.logger.error({ station: station.name, err: describeError(error) }, 'cannot feed the station\'s fallback mount');
    }
  }

  private async stop(name: string, why: string, release = true): Promise<void> {
    const feed = this.feeding.get(name);
    if (!feed) return;
    this.feeding.delete(name);
    this.logger.info({ station: name, worker: this.worker, why }, 'no longer feeding the station\'s fallback mount');
    await feed.source.stop();
    if (release) await this.leases.releaseFallback(feed.lease).catch(() => false);
  }
}
