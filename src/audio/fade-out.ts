import type { Mp3Frame } from './frame.js';
import { applyMp3Gain, GAIN_STEP_DB } from './mp3-gain.js';

/** How long a skipped song fades out on a station that crossfades, instead of stopping dead. */
export const SKIP_FADE_SECONDS = 0.3;
/** Where the fade ends: inaudible under the next song, and well inside global_gain's range. */
const FADE_FLOOR_DB = -60;

/**
 * `frames` faded out along a quarter cosine (equal-power, like the crossfade), by lowering each frame's
 * global_gain (the mp3gain method, mp3-gain.ts): no decode or encode, so a skip is heard at once. The level
 * moves in 1.5 dB steps frame by frame, which over a few hundred milliseconds is heard as a fade.
 */
export function fadeOutFrames(frames: readonly Mp3Frame[]): Mp3Frame[] {
  return frames.map((frame, index) => {
    const amplitude = Math.cos((Math.PI / 2) * ((index + 1) / frames.length));
    const db = Math.max(FADE_FLOOR_DB, amplitude > 0 ? 20 * Math.log10(amplitude) : FADE_FLOOR_DB);
    return { bytes: applyMp3Gain(frame.bytes, Math.round(db / GAIN_STEP_DB)), samples: frame.samples };
  });
}
