/** A window quieter than this (RMS) counts as silent: -60 dBFS, well under any tone and over the decoder's noise. */
export const SILENCE_DBFS = -60;
/** Length of the windows RMS is taken over: short enough to time a silence to 50 ms. */
export const SILENCE_WINDOW_SEC = 0.05;

export interface SilentRun {
  /** Seconds from the start of the PCM. */
  readonly startSec: number;
  readonly durationSec: number;
}

/**
 * The longest stretch of consecutive silent windows in mono PCM (a run still open at the end counts up to
 * the end: a station that never recovers shows as silent until the listener hung up).
 */
export function longestSilentRun(pcm: Float32Array, sampleRate: number): SilentRun {
  const window = Math.max(1, Math.round(sampleRate * SILENCE_WINDOW_SEC));
  const threshold = 10 ** (SILENCE_DBFS / 20);
  let longest = { start: 0, windows: 0 };
  let runStart = 0;
  let runWindows = 0;
  for (let index = 0, offset = 0; offset < pcm.length; index += 1, offset += window) {
    const end = Math.min(pcm.length, offset + window);
    let energy = 0;
    for (let sample = offset; sample < end; sample += 1) energy += (pcm[sample] ?? 0) ** 2;
    if (Math.sqrt(energy / (end - offset)) < threshold) {
      if (runWindows === 0) runStart = index;
      runWindows += 1;
      if (runWindows > longest.windows) longest = { start: runStart, windows: runWindows };
    } else {
      runWindows = 0;
    }
  }
  return { startSec: (longest.start * window) / sampleRate, durationSec: (longest.windows * window) / sampleRate };
}
