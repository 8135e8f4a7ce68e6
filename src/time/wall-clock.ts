/**
 * Epoch milliseconds, passed in so tests can set the date. For times that are stored or sent (URL expiry,
 * cache and history stamps, signed file URLs) and the deadlines compared with them. It may jump with the
 * system clock, so pacing and in-process deadlines run on Clock.now() instead, with one exception: the
 * relay takes a single `now` for its stamps, and its lookup deadlines (LookupContext.deadlineAt, checked by
 * the upstream fetch, its retries and the local provider) are read on that same clock, so a test that sets
 * the date sets both. A jump can only shorten or stretch those checks: the resolver's withDeadline timer
 * still ends every lookup in real time.
 */
export type WallClock = () => number;

export const systemWallClock: WallClock = Date.now;
