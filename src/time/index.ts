export { sleepOn, systemClock, type Clock, type Timer } from './clock.js';
export { backoffMs, delayBeforeRetry, type Backoff, type RetryPolicy } from './backoff.js';
export { LazyDeadline, type Due } from './lazy-deadline.js';
export { withDeadline } from './with-deadline.js';
export { systemWallClock, type WallClock } from './wall-clock.js';
export { retry, type RetryLoop, type Stopped } from './retry.js';
