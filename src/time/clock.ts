/** A pending timer or interval; clearing it after it fired, or twice, does nothing. */
export interface Timer {
  clear(): void;
}

/**
 * Time as the code sees it, passed in so tests can drive it by hand. `now()` is monotonic
 * (performance.now()), so wall-clock changes never stretch or shrink a deadline or a pace.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  setInterval(callback: () => void, ms: number): Timer;
}

export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(callback: () => void, ms: number): Timer {
    const handle = setTimeout(callback, ms);
    return { clear: () => clearTimeout(handle) };
  },
  setInterval(callback: () => void, ms: number): Timer {
    const handle = setInterval(callback, ms);
    return { clear: () => clearInterval(handle) };
  },
});

/** Waits `ms` on `clock`, so a test clock decides when the wait ends. */
export function sleepOn(clock: Clock): (ms: number) => Promise<void> {
  return (ms) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
}
