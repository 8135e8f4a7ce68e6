import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Lease, StoreLeases } from '../store/index.js';
import { systemClock, type Clock } from '../time/index.js';

export interface LeaseTiming {
  readonly ttlMs: number;
  readonly roundMs: number;
  /** After Redis comes back, how long a worker only claims its own lapsed leases again (see quietUntil). */
  readonly quietAfterOutageMs: number;
}

/**
 * A lease lapses 1.6 s after its owner's last renewal and each worker looks every 0.4 s: a killed owner's
 * stations are claimed within 2 s, leaving a second of the 3 s failover budget for the new owner to
 * connect (measured: on air 2.2-2.4 s after SIGKILL with 2 s / 0.5 s), while an owner gets four tries to
 * renew before it loses a station to a slow moment (a GC pause, a loaded host).
 */
export const LEASE_TIMING: LeaseTiming = Object.freeze({
  ttlMs: 1_600,
  roundMs: 400,
  // The other workers reconnect to Redis up to 2 s after this one (the worker's Redis reconnect backoff
  // cap) and then claim their own leases within a round: 2 s + 2 rounds, with a lease TTL to spare.
  quietAfterOutageMs: 4_000,
});

/** A worker id that says where it runs (host, pid) and is unique across restarts of the same pid. */
export function newWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'host';
  return `${host}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** How many of `stations` the worker at `index` of `workers` live workers plays: the fair share, ±1 across all. */
export function fairShare(stations: number, workers: number, index: number): number {
  if (workers <= 0) return stations;
  return Math.floor(stations / workers) + (index < stations % workers ? 1 : 0);
}

/** What one round changed: stations this worker now plays, and stations it no longer does. */
export interface LeaseChanges {
  readonly gained: readonly string[];
  readonly lost: readonly string[];
}

/**
 * The stations this worker holds a lease on. Each round it says it is alive, renews its leases, and moves
 * toward its fair share: it gives up extra stations (after `stop` has taken them off air, so the next owner
 * finds the mount free) and claims free ones. While Redis is away it keeps what it holds and claims nothing.
 */
export class StationLeases {
  private readonly held = new Map<string, Lease>();
  private redisAway = false;
  /**
   * After Redis comes back, until this clock time the worker only keeps what it holds: every worker's leases
   * and registrations may have lapsed during the outage, and each must first claim its own again, or the
   * first worker back would take the others' stations and cut their listeners off.
   */
  private quietUntil = 0;

  constructor(
    private readonly leases: Pick<StoreLeases, 'claim' | 'renew' | 'release' | 'heartbeat' | 'leave'>,
    readonly worker: string,
    private readonly logger: Logger,
    private readonly timing: LeaseTiming = LEASE_TIMING,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** Redis answers and the quiet period after an outage is over: the worker may take what is free. */
  get settled(): boolean {
    return !this.redisAway && this.clock.now() >= this.quietUntil;
  }

  holds(station: string): boolean {
    return this.held.has(station);
  }

  /** The fence for the station's play-state writes, or undefined when this worker does not hold it. */
  fenceOf(station: string): Lease | undefined {
    return this.held.get(station);
  }

  /** Whether the worker still holds the station, asked of Redis now (renewing it): before it takes a mount by force. */
  async confirm(station: string): Promise<boolean> {
    const lease = this.held.get(station);
    if (!lease) return false;
    return this.leases.renew(lease, this.timing.ttlMs).catch(() => false);
  }

  /**
   * One round over the stations `listStations` reads from the store (its failure is Redis being away, like
   * any other); `stop` takes a station off air before its lease is given up, and a station is handed over
   * only when `mayHandOver` says so (its listeners have a fallback to wait on).
   */
  async round(
    listStations: () => Promise<readonly string[]>,
    stop: (station: string) => Promise<void>,
    mayHandOver: (station: string) => boolean = () => true,
  ): Promise<LeaseChanges> {
    const gained: string[] = [];
    const lost: string[] = [];
    try {
      const stations = await listStations();
      const live = await this.leases.heartbeat(this.worker, this.timing.ttlMs);
      lost.push(...(await this.renewHeld(new Set(stations))));
      if (this.redisAway) {
        this.logger.info({ worker: this.worker }, 'Redis answers again: station leases renewed');
        this.quietUntil = this.clock.now() + this.timing.quietAfterOutageMs;
      }
      this.redisAway = false;
      if (this.clock.now() >= this.quietUntil) {
        const target = fairShare(stations.length, live.length, Math.max(live.indexOf(this.worker), 0));
        await this.giveUpExtras(target, stop, mayHandOver);
        gained.push(...(await this.claimFree(stations, target)));
      }
    } catch (error) {
      if (!this.redisAway) this.logger.warn({ worker: this.worker, err: describeError(error) }, 'Redis unreachable: keeping the stations this worker plays, taking over none');
      this.redisAway = true;
    }
    return { gained, lost };
  }

  /** Gives every lease up and leaves, so the other workers take the stations at their next round. */
  async releaseAll(): Promise<void> {
    const leases = [...this.held.values()];
    this.held.clear();
    await Promise.allSettled([...leases.map((lease) => this.leases.release(lease)), this.leases.leave(this.worker)]);
  }

  /** Renews each held lease; one that lapsed with nobody else holding it since is claimed again (a new token). */
  private async renewHeld(stored: ReadonlySet<string>): Promise<string[]> {
    const lost: string[] = [];
    for (const lease of [...this.held.values()]) {
      if (!stored.has(lease.station)) {
        // Removed by an admin: the roster stops it as such; the lease has nothing left to guard.
        this.held.delete(lease.station);
        lost.push(lease.station);
        await this.leases.release(lease);
        continue;
      }
      if (await this.leases.renew(lease, this.timing.ttlMs)) continue;
      const again = await this.leases.claim(lease.station, this.worker, this.timing.ttlMs, lease);
      if (again) {
        this.held.set(lease.station, again);
        this.logger.info({ station: lease.station, worker: this.worker, token: again.token }, 'lease lapsed and claimed again');
      } else {
        this.held.delete(lease.station);
        lost.push(lease.station);
        this.logger.warn({ station: lease.station, worker: this.worker }, 'lease lost: another worker plays the station now');
      }
    }
    return lost;
  }

  private async giveUpExtras(target: number, stop: (station: string) => Promise<void>, mayHandOver: (station: string) => boolean): Promise<void> {
    const extras = [...this.held.keys()].sort().slice(target).filter(mayHandOver);
    for (const station of extras) {
      const lease = this.held.get(station)!;
      this.held.delete(station);
      await stop(station);
      await this.leases.release(lease);
      this.logger.info({ station, worker: this.worker }, 'handed the station over: another worker takes its share');
    }
  }

  private async claimFree(stations: readonly string[], target: number): Promise<string[]> {
    const gained: string[] = [];
    // Random order, so workers starting together do not all race for the same stations first.
    const candidates = stations
      .filter((station) => !this.held.has(station))
      .map((station) => ({ station, order: Math.random() }))
      .sort((a, b) => a.order - b.order)
      .map(({ station }) => station);
    for (const station of candidates) {
      if (this.held.size >= target) break;
      const lease = await this.leases.claim(station, this.worker, this.timing.ttlMs);
      if (!lease) continue;
      this.held.set(station, lease);
      gained.push(station);
      this.logger.info({ station, worker: this.worker, token: lease.token }, 'lease claimed: this worker plays the station');
    }
    return gained;
  }
}
