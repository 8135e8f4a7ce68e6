import type { Clock, Timer } from '../time/index.js';

/** A pacer's place in a PacingClock's round; leave() when the pacer stops. */
export interface PacingMembership {
  leave(): void;
}

/**
 * One timer for every station of a process (the single cycle of discord.js voice): at each wake-up every
 * member sends what is due. The event loop wakes as often for 200 stations as for one, so a process's
 * pacing cost grows with the bytes it sends, not with its number of timers. The timer runs only while
 * there are members, so a process with no station keeps none alive.
 */
export class PacingClock {
  readonly #members = new Set<{ readonly tick: () => void }>();
  #timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    readonly tickMs: number,
  ) {}

  get size(): number {
    return this.#members.size;
  }

  join(tick: () => void): PacingMembership {
    const member = { tick };
    this.#members.add(member);
    this.#timer ??= this.clock.setInterval(() => this.#wake(), this.tickMs);
    return { leave: () => this.#leave(member) };
  }

  #leave(member: { readonly tick: () => void }): void {
    if (!this.#members.delete(member) || this.#members.size > 0) return;
    this.#timer?.clear();
    this.#timer = undefined;
  }

  /**
   * Every member ticks even when one throws (a station's fault must not silence the others); the first
   * error is thrown afterwards, as an interval callback's error always was.
   */
  #wake(): void {
    let failure: { error: unknown } | undefined;
    // A Set may lose members while it is iterated (a station stopping from its own tick): no copy per wake-up.
    for (const member of this.#members) {
      try {
        member.tick();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
