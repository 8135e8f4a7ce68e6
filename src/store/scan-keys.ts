import type { StoreContext } from './context.js';
import { storeCall } from './redis-errors.js';

/** Keys SCAN looks at per round, and keys per MGET: Redis answers either in well under a millisecond. */
export const SCAN_BATCH = 1_000;
/** SCAN rounds for one family (each looks at ~SCAN_BATCH keys): a bound, not an expected count. */
const MAX_SCAN_ROUNDS = 10_000;

/** Visits every key of a family with SCAN (never KEYS, which blocks Redis), a batch at a time. */
export async function forEachKeyBatch(ctx: StoreContext, prefix: string, visit: (batch: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < MAX_SCAN_ROUNDS; round += 1) {
    const [next, batch] = await storeCall(() => ctx.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', SCAN_BATCH));
    if (batch.length > 0) await visit(batch);
    cursor = next;
    if (cursor === '0') return;
  }
}
