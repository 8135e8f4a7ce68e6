/** Time as the station sees it: passed in so tests can drive the pacer with a fake clock. */
export interface Clock {
  /** Monotonic milliseconds (performance.now()); never goes backwards with wall-clock changes. */
  now(): number;
  setInterval(callback: () => void, ms: number): { clear(): void };
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    return { clear: () => clearInterval(handle) };
  },
};
