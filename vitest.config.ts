import { defineConfig } from 'vitest/config';

/**
 * Tests whose deadlines are about a fleet of workers (hand-over within 1 s, failover within 3 s) run on
 * their own, after the rest: each starts three workers with a dozen stations, and beside another heavy
 * file on a 2-core machine they measured the machine (run queue 40, heartbeats late) rather than the fleet.
 */
const ALONE = ['test/integration/fleet.test.ts', 'test/integration/fleet-failover.test.ts'];

const shared = {
  // Integration tests start real icecast2/redis-server/ffmpeg; two at a time fits a 2-core machine.
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'suite', include: ['test/**/*.test.ts'], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
