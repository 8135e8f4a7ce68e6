/** When a deadline falls (a performance.now() time) and what to report when it trips. */
export interface Due<T> {
  readonly at: number;
  readonly what: T;
}

/**
 * One timer for deadlines that progress only moves later (bytes or frames arriving push them back), so
 * progress costs no timer work: the timer fires at the deadline known when it was set, asks `due()` again,
 * and re-arms if the deadline has moved on meanwhile. Call `check()` when a deadline may have come earlier.
 */
export class LazyDeadline<T> {
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  /** `due()` returns the earliest deadline now running, or undefined when none runs. */
  constructor(
    private readonly due: () => Due<T> | undefined,
    private readonly onTrip: (what: T, now: number) => void,
  ) {}

  check(): void {
    clearTimeout(this.timer);
    if (this.done) return;
    const next = this.due();
    if (next === undefined) return;
    const now = performance.now();
    if (next.at > now) {
      this.timer = setTimeout(() => this.check(), Math.ceil(next.at - now));
      return;
    }
    this.done = true;
    this.onTrip(next.what, now);
  }

  /** No trip after this. */
  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
  }
}
