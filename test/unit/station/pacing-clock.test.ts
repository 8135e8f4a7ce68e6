import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/station/pacer.js';
import { PacingClock } from '../../../src/station/pacing-clock.js';
import { FakeClock } from './fake-clock.js';

const FRAME_US = (1152 * 1_000_000) / 44100;
const frame = { bytes: Buffer.alloc(417, 1), samples: 1152 };

/** A FakeClock that counts the timers it was asked for. */
class CountingClock extends FakeClock {
  timersStarted = 0;
  override setInterval(callback: () => void, ms: number) {
    this.timersStarted += 1;
    return super.setInterval(callback, ms);
  }
}

function pacerOn(clock: FakeClock, pacingClock: PacingClock, sent: { bytes: number }) {
  return new Pacer({
    clock,
    pacingClock,
    frameDurationUs: FRAME_US,
    nextFrame: () => frame,
    write: (bytes) => (sent.bytes += bytes.length),
    canWrite: () => true,
    leadMs: 400,
  });
}

describe('PacingClock', () => {
  it('paces 200 stations on one timer, each at real time', () => {
    const clock = new CountingClock();
    const pacingClock = new PacingClock(clock, 150);
    const sent = Array.from({ length: 200 }, () => ({ bytes: 0 }));
    const pacers = sent.map((counter) => pacerOn(clock, pacingClock, counter));
    for (const pacer of pacers) pacer.start();
    clock.advance(60_000);
    expect(clock.timersStarted).toBe(1);
    const expectedFrames = (60_400 * 1000) / FRAME_US;
    for (const counter of sent) {
      expect(counter.bytes / 417).toBeGreaterThanOrEqual(Math.floor(expectedFrames) - 1);
      expect(counter.bytes / 417).toBeLessThanOrEqual(Math.ceil(expectedFrames) + 1);
    }
  });

  it('runs its timer only while a station is a member', () => {
    const clock = new CountingClock();
    const pacingClock = new PacingClock(clock, 150);
    const counters = [{ bytes: 0 }, { bytes: 0 }];
    const [first, second] = counters.map((counter) => pacerOn(clock, pacingClock, counter));
    first!.start();
    second!.start();
    first!.stop();
    const firstBytes = counters[0]!.bytes;
    clock.advance(1_000);
    expect(counters[0]!.bytes).toBe(firstBytes);
    expect(counters[1]!.bytes).toBeGreaterThan(0);
    second!.stop();
    expect(pacingClock.size).toBe(0);
    // No member: the next one starts a new timer (the old one was cleared, not left running).
    first!.start();
    expect(clock.timersStarted).toBe(2);
    first!.stop();
  });

  it("still ticks every other station when one station's tick throws, then reports the error", () => {
    const clock = new FakeClock();
    const pacingClock = new PacingClock(clock, 150);
    let ticks = 0;
    pacingClock.join(() => {
      throw new Error('broken station');
    });
    pacingClock.join(() => (ticks += 1));
    expect(() => clock.advance(150)).toThrow('broken station');
    expect(ticks).toBe(1);
  });
});
