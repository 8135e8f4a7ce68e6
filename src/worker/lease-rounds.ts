import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Clock } from '../time/index.js';
import { LEASE_TIMING } from './station-leases.js';

export interface LeaseRounds {
  /** Runs a round now; news that arrives during one gets one more round right after it. */
  run(): Promise<void>;
  /** No more rounds; resolves when the one under way has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `round` every LEASE_TIMING.roundMs and whenever asked, never two at once: a slow round (Redis timing
 * out) delays the next instead of stacking them.
 */
export function startLeaseRounds(round: () => Promise<void>, clock: Clock, logger: Logger): LeaseRounds {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = round()
      .catch((error: unknown) => logger.debug({ err: describeError(error) }, 'lease round did not finish'))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };
  const timer = clock.setInterval(() => void run(), LEASE_TIMING.roundMs);
  return {
    run: () => (stopped ? Promise.resolve() : run()),
    async stop() {
      stopped = true;
      timer.clear();
      await running;
    },
  };
}
