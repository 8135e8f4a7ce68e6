/**
 * A station's crossfade, in seconds: 0 joins songs gaplessly (and a skip cuts at once); up to 10 s of
 * overlap, each join re-encoding only the overlap (see src/audio/crossfade.ts).
 */
export const CROSSFADE_RANGE = Object.freeze({ min: 0, max: 10 });
export const DEFAULT_CROSSFADE_SECONDS = 0;

/** Why `seconds` is not a crossfade a station can have, or undefined when it is. */
export function crossfadeProblem(seconds: number): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < CROSSFADE_RANGE.min || seconds > CROSSFADE_RANGE.max) {
    return `invalid crossfade ${JSON.stringify(seconds)}: expected seconds from ${CROSSFADE_RANGE.min} to ${CROSSFADE_RANGE.max} (0 = none)`;
  }
  return undefined;
}
