import { GAIN_STEP_DB } from './mp3-gain.js';

/**
 * A song's loudness as ffmpeg's `ebur128=peak=true` filter measured it in the transcode (EBU R128 /
 * ITU-R BS.1770-4), on the samples the encoder was given: after the resampling and channel mix to the
 * station's format, so a mono song played as stereo is measured as the listener hears it.
 */
export interface SongLoudness {
  /** Integrated loudness, LUFS. */
  readonly integratedLufs: number;
  /** True peak (4× oversampled), dBTP. */
  readonly truePeakDb: number;
}

/** The station's target when none is set: what most streaming services aim at for music (-14..-16 LUFS). */
export const DEFAULT_LOUDNESS_TARGET_LUFS = -16;
/** Targets an admin may set. Below -30 most songs would need more gain than their peaks allow; above -5 none fits. */
export const LOUDNESS_TARGET_RANGE = Object.freeze({ min: -30, max: -5 });
/** A song is never raised so far that its true peak passes this (EBU R128 s1's ceiling for distribution). */
export const TRUE_PEAK_CEILING_DB = -1;
/**
 * ebur128 reports -70 LUFS (its absolute gate) for a song with no block above the gate: silence, or nearly.
 * Such a song has no loudness to normalise.
 */
const GATED_OUT_LUFS = -70;

/**
 * Whole global_gain steps (GAIN_STEP_DB each) that bring a song to `targetLufs`: the nearest step, so a song
 * within half a step (0.75 dB) of the target is left alone; a raise is cut to what keeps the true peak at or
 * below TRUE_PEAK_CEILING_DB (never below 0: a song whose peak is already above the ceiling is not lowered
 * for it). 0 when the target is off or the song has no figures.
 */
export function gainSteps(targetLufs: number | null, loudness: SongLoudness | undefined): number {
  if (targetLufs === null || !loudness || !(loudness.integratedLufs > GATED_OUT_LUFS)) return 0;
  const wanted = Math.round((targetLufs - loudness.integratedLufs) / GAIN_STEP_DB);
  if (wanted <= 0) return wanted || 0; // never -0
  const headroom = Number.isFinite(loudness.truePeakDb) ? Math.floor((TRUE_PEAK_CEILING_DB - loudness.truePeakDb) / GAIN_STEP_DB) : wanted;
  return Math.max(0, Math.min(wanted, headroom));
}

/** Why `value` is not a loudness target, or undefined when it is one. */
export function loudnessTargetProblem(value: number): string | undefined {
  if (Number.isFinite(value) && value >= LOUDNESS_TARGET_RANGE.min && value <= LOUDNESS_TARGET_RANGE.max) return undefined;
  return `loudness must be a target in LUFS from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max} (e.g. ${DEFAULT_LOUDNESS_TARGET_LUFS}) or off, got ${String(value)}`;
}

/** "-16 LUFS, peak -3.2 dBTP", for people. */
export function describeLoudness(loudness: SongLoudness | undefined): string {
  if (!loudness) return 'not measured yet';
  const peak = Number.isFinite(loudness.truePeakDb) ? `${loudness.truePeakDb.toFixed(1)} dBTP` : '-inf';
  return `${loudness.integratedLufs.toFixed(1)} LUFS, true peak ${peak}`;
}

/**
 * Reads ebur128's summary from ffmpeg's log, line by line. The summary is printed when the filter graph
 * is freed, after the song's last frame (ffmpeg 5.1):
 *
 *     [Parsed_ebur128_1 @ 0x…] [info] Summary:
 *       Integrated loudness:
 *         I:         -31.8 LUFS
 *       …
 *       True peak:
 *         Peak:      -31.1 dBFS
 *
 * The per-100 ms lines ("t: 2.9 … I: -31.8 LUFS … TPK: …") carry their own text before "I:", so the anchored
 * patterns below never match them.
 */
export class LoudnessSummaryReader {
  private integrated: number | undefined;
  private peak: number | undefined;

  /** Feeds one log line's text (after parseLogLine). */
  add(text: string): void {
    const integrated = /^\s*I:\s+(-?[\d.]+|-inf) LUFS\s*$/.exec(text);
    if (integrated) this.integrated = decibels(integrated[1]!);
    const peak = /^\s*Peak:\s+(-?[\d.]+|-inf) dBFS\s*$/.exec(text);
    if (peak) this.peak = decibels(peak[1]!);
  }

  /** The figures once both were printed. */
  get loudness(): SongLoudness | undefined {
    if (this.integrated === undefined || this.peak === undefined) return undefined;
    return { integratedLufs: this.integrated, truePeakDb: this.peak };
  }
}

function decibels(text: string): number {
  return text === '-inf' ? -Infinity : Number(text);
}
