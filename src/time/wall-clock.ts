/**
 * Epoch milliseconds, passed in so tests can set the date. For times that are stored or sent (URL expiry,
 * cache and history stamps, signed file URLs) and the deadlines compared with them. It may jump with the
 * system clock, so pacing and in-process deadlines run on Clock.now() instead.
 */
export type WallClock = () => number;

export const systemWallClock: WallClock = Date.now;
