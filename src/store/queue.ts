import { quoteInput } from '../errors.js';
import { asNumber, execAtomic, lrangeBounds, runMutation, type StoreContext } from './context.js';
import { NotFoundError } from './errors.js';
import { keys } from './keys.js';
import { clearQueueScript, dequeueScript, enqueueScript } from './lua/queue-scripts.js';
import type { ListRange } from './types.js';
import { MAX_QUEUE_LENGTH, validateName, validatePositions, validateRefs } from './validate.js';

const queueKeys = (station: string) => [keys.stations, keys.queue(validateName('station', station))];

/** The queue, head first. Reading it never changes it. */
export async function getQueue(ctx: StoreContext, station: string, range?: ListRange): Promise<string[]> {
  validateName('station', station);
  const [start, stop] = lrangeBounds(range);
  const [member, refs] = await execAtomic((m) => m.sismember(keys.stations, station).lrange(keys.queue(station), start, stop), ctx);
  if (asNumber(member) === 0) throw new NotFoundError(`station ${quoteInput(station)} does not exist`);
  return refs as string[];
}

/** Appends to the queue; returns its new length. */
export async function enqueue(ctx: StoreContext, station: string, refs: readonly string[]): Promise<number> {
  const valid = validateRefs(refs, MAX_QUEUE_LENGTH);
  return asNumber(await runMutation(ctx, enqueueScript, queueKeys(station), [station, MAX_QUEUE_LENGTH, 'tail', '0', ...valid]));
}

/**
 * Puts refs at the head of the queue, in the given order, so they play next. With `now` the worker is
 * asked to cut the current song and play the first of them at once.
 */
export async function enqueueNext(
  ctx: StoreContext,
  station: string,
  refs: readonly string[],
  options: { now?: boolean } = {},
): Promise<number> {
  const valid = validateRefs(refs, MAX_QUEUE_LENGTH);
  return asNumber(
    await runMutation(ctx, enqueueScript, queueKeys(station), [station, MAX_QUEUE_LENGTH, 'head', options.now ? '1' : '0', ...valid]),
  );
}

/** Removes the entries at the given 1-based positions (all checked first); returns how many. */
export async function dequeue(ctx: StoreContext, station: string, positions: readonly number[]): Promise<number> {
  const valid = validatePositions(positions);
  return asNumber(await runMutation(ctx, dequeueScript, queueKeys(station), [station, ...valid]));
}

export async function clearQueue(ctx: StoreContext, station: string): Promise<number> {
  return asNumber(await runMutation(ctx, clearQueueScript, queueKeys(station), [station]));
}
