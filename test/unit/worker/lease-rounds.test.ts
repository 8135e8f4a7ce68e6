import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { startLeaseRounds } from '../../../src/worker/lease-rounds.js';
import { LEASE_TIMING } from '../../../src/worker/station-leases.js';
import { FakeClock } from '../station/fake-clock.js';

/** A round the test finishes by hand, counting how many began. */
function heldRounds() {
  const state = { began: 0, finish: [] as (() => void)[] };
  const round = () => {
    state.began += 1;
    return new Promise<void>((resolve) => state.finish.push(resolve));
  };
  return { round, state };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startLeaseRounds', () => {
  it('runs a round every roundMs, never two at once, and one more for news that came during one', async () => {
    const clock = new FakeClock();
    const { round, state } = heldRounds();
    const rounds = startLeaseRounds(round, clock, silentLogger());
    clock.advance(LEASE_TIMING.roundMs);
    expect(state.began).toBe(1);
    void rounds.run();
    clock.advance(LEASE_TIMING.roundMs);
    expect(state.began).toBe(1);
    state.finish.shift()!();
    await settle();
    expect(state.began).toBe(2);
    state.finish.shift()!();
    await settle();
    expect(state.began).toBe(2);
    const stopping = rounds.stop();
    clock.advance(LEASE_TIMING.roundMs * 3);
    await stopping;
    await rounds.run();
    expect(state.began).toBe(2);
  });

  it('goes on after a round that failed', async () => {
    const clock = new FakeClock();
    let began = 0;
    const rounds = startLeaseRounds(async () => {
      began += 1;
      throw new Error('Connection is closed.');
    }, clock, silentLogger());
    await rounds.run();
    await rounds.run();
    expect(began).toBe(2);
    await rounds.stop();
  });
});
