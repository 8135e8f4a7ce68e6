import { join } from 'node:path';
import { applyMp3Gain, DEFAULT_LOUDNESS_TARGET_LUFS, DEFAULT_STREAM_FORMAT, gainSteps, transcode, type Mp3Frame, type SongLoudness } from '../src/audio/index.js';
import { silentLogger } from '../src/log/index.js';
import { makeLoudTone, measureLoudness } from '../test/support/loudness.js';
import { readFrames } from '../test/support/frames.js';
import { info, type Figure } from './figure.js';
import type { BenchContext } from './harness.js';

const NAME = 'loudness';
const SONG_SECONDS = 20;
/** Ten songs spread the way masters of different decades and services are: 26 LU from the quietest to the loudest. */
const LEVELS_LUFS = [-32, -28, -24, -21, -18, -16, -14, -11, -9, -6] as const;
/** Gain passes over the same frames for the CPU figure, so it is large enough to time. */
const CPU_PASSES = 20;

function spread(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}

/**
 * Issue 18 item 4, the loudness rows. Ten tones made at the LEVELS_LUFS (ffmpeg's volume filter, verified with
 * ebur128) go through the worker's own transcode (which measures them) and, at the default target, through
 * the gain the station applies to cached frames; each result is decoded and measured with ebur128.
 * Spread before = of the transcoded songs as they are; after = of the normalised ones.
 * CPU: the gain stage alone, in this process, per minute of audio (frames from the same transcodes), against
 * the same frames passed through: the one cost normalisation adds to a playing station (no decode, no encode).
 */
export async function measureLoudnessRows(context: BenchContext): Promise<Figure[]> {
  const before: number[] = [];
  const after: number[] = [];
  const songs: { frames: Mp3Frame[]; loudness: SongLoudness | undefined }[] = [];
  for (const [index, lufs] of LEVELS_LUFS.entries()) {
    const path = join(context.dir, `loudness-${index}.mp3`);
    await makeLoudTone({ path, seconds: SONG_SECONDS, frequency: 220 + 90 * index, lufs });
    const stream = transcode({ input: path, format: DEFAULT_STREAM_FORMAT, logger: silentLogger() });
    const frames = await readFrames(stream);
    const loudness = stream.summary?.loudness;
    songs.push({ frames, loudness });
    const steps = gainSteps(DEFAULT_LOUDNESS_TARGET_LUFS, loudness);
    before.push((await measureLoudness(Buffer.concat(frames.map((frame) => frame.bytes)))).lufs);
    after.push((await measureLoudness(Buffer.concat(frames.map((frame) => applyMp3Gain(frame.bytes, steps))))).lufs);
    context.say(`${NAME}: song ${index + 1} made at ${lufs} LUFS, measured ${loudness?.integratedLufs ?? '?'} in its transcode, ${steps} steps → ${after.at(-1)} LUFS`);
  }

  const audioMinutes = (CPU_PASSES * LEVELS_LUFS.length * SONG_SECONDS) / 60;
  const timed = (gain: boolean): number => {
    const start = process.cpuUsage();
    for (let pass = 0; pass < CPU_PASSES; pass += 1) {
      for (const song of songs) {
        const steps = gain ? gainSteps(DEFAULT_LOUDNESS_TARGET_LUFS, song.loudness) || 1 : 0;
        for (const frame of song.frames) applyMp3Gain(frame.bytes, steps);
      }
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6 / audioMinutes;
  };
  const off = timed(false);
  const on = timed(true);
  const note = `${LEVELS_LUFS.length} tones of ${SONG_SECONDS} s, made at ${LEVELS_LUFS.join(', ')} LUFS; heard after: ${after.map((value) => value.toFixed(1)).join(', ')}`;
  return [
    info(NAME, { name: `loudness spread over ${LEVELS_LUFS.length} songs, as transcoded (max − min)`, value: spread(before), unit: 'LU', digits: 1, note }),
    info(NAME, { name: `loudness spread over ${LEVELS_LUFS.length} songs, normalised to ${DEFAULT_LOUDNESS_TARGET_LUFS} LUFS (max − min)`, value: spread(after), unit: 'LU', digits: 1 }, '≤ 1.5 LU (one gain step)'),
    info(NAME, { name: 'gain stage CPU per audio minute, normalisation off (frames passed on)', value: off, unit: 'CPU-s', digits: 5 }),
    info(NAME, { name: 'gain stage CPU per audio minute, normalisation on (every frame gained)', value: on, unit: 'CPU-s', digits: 5, note: `${CPU_PASSES} passes over ${(audioMinutes / CPU_PASSES).toFixed(1)} min of frames in this process; a playing station at 128 kb/s costs ~0.25 CPU-s per minute (pacing row)` }),
  ];
}
