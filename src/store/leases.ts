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
export async function claimLease(ctx: StoreContext, station: string, worker: string, ttlMs: number, lapsed?: Lease): Promise<Lease | null> {
  validateName('station', station);
  validateWorker(worker);
  validateTtl(ttlMs);
  const after = lapsed === undefined ? '' : String(lapsed.token);
  const token = await runScript(ctx, claimLeaseScript, [keys.stations, keys.lease(station), keys.leaseToken(station)], [station, worker, ttlMs, after]);
  return token === null ? null : { station, worker, token: asNumber(token) };
}

/** Extends the lease for `ttlMs`; false when it ended or passed to another worker: the station is no longer the caller's. */
export async function renewLease(ctx: StoreContext, lease: Lease, ttlMs: number): Promise<boolean> {
  validateTtl(ttlMs);
  return asNumber(await runScript(ctx, renewLeaseScript, [keys.lease(lease.station)], [lease.worker, lease.token, ttlMs])) === 1;
}

/** Gives the station up at once so another worker can take it; a lease already lost is left alone. */
export async function releaseLease(ctx: StoreContext, lease: Lease): Promise<boolean> {
  return asNumber(await runMutation(ctx, releaseLeaseScript, [keys.lease(lease.station)], [lease.worker, lease.token])) === 1;
}

/** Says `worker` is alive for `ttlMs` more; returns every live worker's id, sorted, the caller included. */
export async function workerHeartbeat(ctx: StoreContext, worker: string, ttlMs: number): Promise<string[]> {
  validateWorker(worker);
  validateTtl(ttlMs);
  const live = await runMutation(ctx, workerHeartbeatScript, [keys.workers], [worker, ttlMs]);
  return (Array.isArray(live) ? live.map(String) : []).sort();
}

/** Forgets a worker that stops, so the others take their shares at once rather than after its TTL. */
export async function workerLeaves(ctx: StoreContext, worker: string): Promise<void> {
  validateWorker(worker);
  await runMutation(ctx, workerLeavesScript, [keys.workers], [worker]);
}

/** One station as a worker holds it: its fencing token and for how long the worker has held it. */
export interface HeldStation {
  readonly station: string;
  readonly token: number;
  readonly heldMs: number;
}

/** Which live worker plays which station, and the stations nobody plays (no worker, or between owners). */
export interface Fleet {
  readonly workers: readonly { readonly id: string; readonly stations: readonly HeldStation[] }[];
  readonly unowned: readonly string[];
}

export async function readFleet(ctx: StoreContext): Promise<Fleet> {
  const [now, live, flat] = (await runScript(ctx, readFleetScript, [keys.stations, keys.workers], [KEY_FAMILIES.lease])) as [number, string[], string[]];
  const held = new Map<string, HeldStation[]>(live.map((id) => [id, []]));
  const unowned: string[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    const [station, worker, token, since] = [flat[i]!, flat[i + 1]!, Number(flat[i + 2]), Number(flat[i + 3])];
    if (worker === '') unowned.push(station);
    else held.set(worker, [...(held.get(worker) ?? []), { station, token, heldMs: Math.max(0, now - since) }]);
  }
  return { workers: [...held].sort(([a], [b]) => a.localeCompare(b)).map(([id, stations]) => ({ id, stations })), unowned };
}
