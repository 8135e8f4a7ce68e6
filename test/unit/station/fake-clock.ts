import type { Clock, Timer } from '../../../src/time/clock.js';

/** A clock the test moves by hand; timer and interval callbacks fire as time passes, in order. */
export class FakeClock implements Clock {
  private time = 1_000;
  /** Pending timers and intervals; a timer has no `every` and fires once. */
  private readonly intervals = new Set<{ callback: () => void; every?: number; due: number }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer = { callback, due: this.time + ms };
    this.intervals.add(timer);
    return { clear: () => this.intervals.delete(timer) };
  }

  setInterval(callback: () => void, ms: number): Timer {
    const interval = { callback, every: ms, due: this.time + ms };
    this.intervals.add(interval);
    return { clear: () => this.intervals.delete(interval) };
  }

  /** Moves time forward without firing anything, as when the process was suspended. */
  jump(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward, firing each interval whenever it falls due (bounded by the elapsed time). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let guard = 0; guard < 1_000_000; guard += 1) {
      const next = [...this.intervals].sort((a, b) => a.due - b.due)[0];
      if (!next || next.due > end) break;
      this.time = Math.max(this.time, next.due);
      // Like Node's timers: a late interval fires once and is rescheduled from now, not replayed.
      if (next.every === undefined) this.intervals.delete(next);
      else next.due = this.time + next.every;
      next.callback();
    }
    this.time = end;
  }
}
