import { asNumber, runMutation, runScript, type StoreContext } from './context.js';
import { quoteInput } from '../errors.js';
import { ValidationError } from './errors.js';
import { KEY_FAMILIES, keys } from './keys.js';
import { claimLeaseScript, readFleetScript, releaseLeaseScript, renewLeaseScript, workerHeartbeatScript, workerLeavesScript } from './lua/lease-scripts.js';
import { validateName } from './validate.js';

/** One worker's hold on one station; `token` grows with every new hold (the fencing token). */
export interface Lease {
  readonly station: string;
  readonly worker: string;
  readonly token: number;
}

/**
 * What a lease is for: `play`, the station itself (fenced writes); `fallback`, feeding its fallback mount with
 * silence. Separate holds, so the worker that feeds a station's fallback need not be the one that plays it.
 */
export type LeaseKind = 'play' | 'fallback';

/**
 * A worker that plays stations (`player`) or only feeds fallback mounts (`fallback`, WORKER_ROLE=fallback):
 * the stations are shared among the players only.
 */
export type WorkerRole = 'player' | 'fallback';

function leaseKeys(kind: LeaseKind, station: string): [lease: string, token: string] {
  return kind === 'play' ? [keys.lease(station), keys.leaseToken(station)] : [keys.fallbackLease(station), keys.fallbackLeaseToken(station)];
}

function workersKey(role: WorkerRole): string {
  return role === 'player' ? keys.workers : keys.fallbackWorkers;
}

/** Worker ids travel in Redis hashes and logs: printable, no spaces, bounded. */
const WORKER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function validateWorker(worker: string): void {
  if (!WORKER_ID.test(worker)) throw new ValidationError(`invalid worker id ${quoteInput(worker, 40)}`);
}

function validateTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 100) throw new ValidationError(`lease TTL must be an integer of at least 100 ms, got ${ttlMs}`);
}

/**
 * Holds `station` for `worker` for `ttlMs`: a new lease, the worker's own one extended, or null when another
 * holds it. With `lapsed` (the worker's own lease that ran out) only when no other worker held it since, so
 * the worker may go on playing the station as if it had never lapsed (a Redis restart, a long pause).
 */
export function claimLease(ctx: StoreContext, station: string, worker: string, ttlMs: number, lapsed?: Lease): Promise<Lease | null> {
  return claim(ctx, 'play', station, worker, ttlMs, lapsed);
}

/** Extends the lease for `ttlMs`; false when it ended or passed to another worker: the station is no longer the caller's. */
export function renewLease(ctx: StoreContext, lease: Lease, ttlMs: number): Promise<boolean> {
  return renew(ctx, 'play', lease, ttlMs);
}

/** Gives the station up at once so another worker can take it; a lease already lost is left alone. */
export function releaseLease(ctx: StoreContext, lease: Lease): Promise<boolean> {
  return release(ctx, 'play', lease);
}

/** claimLease for feeding the station's fallback mount. */
export function claimFallbackLease(ctx: StoreContext, station: string, worker: string, ttlMs: number, lapsed?: Lease): Promise<Lease | null> {
  return claim(ctx, 'fallback', station, worker, ttlMs, lapsed);
}

export function renewFallbackLease(ctx: StoreContext, lease: Lease, ttlMs: number): Promise<boolean> {
  return renew(ctx, 'fallback', lease, ttlMs);
}

export function releaseFallbackLease(ctx: StoreContext, lease: Lease): Promise<boolean> {
  return release(ctx, 'fallback', lease);
}

async function claim(ctx: StoreContext, kind: LeaseKind, station: string, worker: string, ttlMs: number, lapsed?: Lease): Promise<Lease | null> {
  validateName('station', station);
  validateWorker(worker);
  validateTtl(ttlMs);
  const after = lapsed === undefined ? '' : String(lapsed.token);
  const token = await runScript(ctx, claimLeaseScript, [keys.stations, ...leaseKeys(kind, station)], [station, worker, ttlMs, after]);
  return token === null ? null : { station, worker, token: asNumber(token) };
}

async function renew(ctx: StoreContext, kind: LeaseKind, lease: Lease, ttlMs: number): Promise<boolean> {
  validateTtl(ttlMs);
  return asNumber(await runScript(ctx, renewLeaseScript, [leaseKeys(kind, lease.station)[0]], [lease.worker, lease.token, ttlMs])) === 1;
}

async function release(ctx: StoreContext, kind: LeaseKind, lease: Lease): Promise<boolean> {
  return asNumber(await runMutation(ctx, releaseLeaseScript, [leaseKeys(kind, lease.station)[0]], [lease.worker, lease.token])) === 1;
}

/** Says `worker` is alive for `ttlMs` more; returns every live worker's id of the same role, sorted, the caller included. */
export async function workerHeartbeat(ctx: StoreContext, worker: string, ttlMs: number, role: WorkerRole = 'player'): Promise<string[]> {
  validateWorker(worker);
  validateTtl(ttlMs);
  const live = await runMutation(ctx, workerHeartbeatScript, [workersKey(role)], [worker, ttlMs]);
  return (Array.isArray(live) ? live.map(String) : []).sort();
}

/** Forgets a worker that stops, so the others take their shares at once rather than after its TTL. */
export async function workerLeaves(ctx: StoreContext, worker: string, role: WorkerRole = 'player'): Promise<void> {
  validateWorker(worker);
  await runMutation(ctx, workerLeavesScript, [workersKey(role)], [worker]);
}

/** One station as a worker holds it: its fencing token and for how long the worker has held it. */
export interface HeldStation {
  readonly station: string;
  readonly token: number;
  readonly heldMs: number;
}

/** One worker as the fleet sees it: what it plays and whose fallback mounts it feeds. */
export interface FleetWorker {
  readonly id: string;
  readonly role: WorkerRole;
  /** false for a holder whose registration lapsed (paused, partitioned, killed): its leases are running out. */
  readonly live: boolean;
  readonly stations: readonly HeldStation[];
  readonly fallbacks: readonly string[];
}

/**
 * Which live worker plays which station and feeds which fallback, the stations nobody plays (no worker, or
 * between owners) and those whose fallback nobody feeds.
 */
export interface Fleet {
  readonly workers: readonly FleetWorker[];
  readonly unowned: readonly string[];
  readonly unfedFallbacks: readonly string[];
}

const FLEET_ROW = 5;

export async function readFleet(ctx: StoreContext): Promise<Fleet> {
  const [now, players, feeders, flat] = (await runScript(ctx, readFleetScript, [keys.stations, keys.workers, keys.fallbackWorkers], [KEY_FAMILIES.lease, KEY_FAMILIES.fallbackLease])) as [number, string[], string[], string[]];
  type Row = { role: WorkerRole; live: boolean; stations: HeldStation[]; fallbacks: string[] };
  const workers = new Map<string, Row>();
  const entry = (id: string, role: WorkerRole = 'player', live = false): Row => {
    const row = workers.get(id) ?? { role, live, stations: [], fallbacks: [] };
    workers.set(id, row);
    return row;
  };
  players.forEach((id) => entry(id, 'player', true));
  feeders.forEach((id) => entry(id, 'fallback', true));
  // A holder whose registration lapsed (paused, partitioned) still shows up: it holds what it holds.
  const unowned: string[] = [];
  const unfedFallbacks: string[] = [];
  for (let i = 0; i + FLEET_ROW - 1 < flat.length; i += FLEET_ROW) {
    const [station, worker, token, since, feeder] = [flat[i]!, flat[i + 1]!, Number(flat[i + 2]), Number(flat[i + 3]), flat[i + 4]!];
    if (worker === '') unowned.push(station);
    else entry(worker).stations.push({ station, token, heldMs: Math.max(0, now - since) });
    if (feeder === '') unfedFallbacks.push(station);
    else entry(feeder).fallbacks.push(station);
  }
  return {
    workers: [...workers].sort(([a], [b]) => a.localeCompare(b)).map(([id, worker]) => ({ id, ...worker })),
    unowned,
    unfedFallbacks,
  };
}
