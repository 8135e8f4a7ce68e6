import type { ChainableCommander, Redis } from 'ioredis';
import { EVENTS_CHANNEL } from './keys.js';
import type { LuaScript } from './lua/script.js';
import { StoreError } from './errors.js';
import { storeCall } from './redis-errors.js';
import { systemWallClock, type WallClock } from '../time/index.js';

/** What every store function needs; time and randomness come from outside so tests control them. */
export interface StoreContext {
  readonly redis: Redis;
  /** Epoch milliseconds. */
  readonly now: WallClock;
  /** A seed for the Lua shuffles: an integer in 1..2^31-2. */
  readonly seed: () => number;
}

export interface StoreOptions {
  /** Epoch milliseconds; defaults to Date.now. */
  readonly clock?: WallClock;
  /** Uniform in [0, 1); defaults to Math.random. */
  readonly random?: () => number;
}

export function createContext(redis: Redis, options: StoreOptions = {}): StoreContext {
  const random = options.random ?? Math.random;
  return {
    redis,
    now: options.clock ?? systemWallClock,
    seed: () => 1 + Math.floor(random() * 2_147_483_645),
  };
}

/** Runs a store script with the events channel as ARGV[1] (every mutating script publishes). */
export function runMutation(
  ctx: StoreContext,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  return storeCall(() => script.run(ctx.redis, keys, [EVENTS_CHANNEL, ...args]));
}

export function runScript(
  ctx: StoreContext,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  return storeCall(() => script.run(ctx.redis, keys, args));
}

/** Runs a MULTI (one consistent snapshot for reads) and returns each command's result. */
export async function execAtomic(build: (multi: ChainableCommander) => ChainableCommander, ctx: StoreContext): Promise<unknown[]> {
  return storeCall(async () => {
    const replies = await build(ctx.redis.multi()).exec();
    if (!replies) throw new StoreError('Redis aborted a transaction');
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  });
}

export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/**
 * LRANGE bounds for a half-open range (0-based start, end excluded, undefined end = to the end).
 * An empty range maps to bounds LRANGE answers with nothing, since `end - 1 = -1` would mean "to the end".
 */
export function lrangeBounds(range?: { start: number; end?: number }): [number, number] {
  if (!range) return [0, -1];
  if (range.end === undefined) return [range.start, -1];
  if (range.end <= range.start) return [1, 0];
  return [range.start, range.end - 1];
}
