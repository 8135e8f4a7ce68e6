import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** Measuring or making a few seconds of audio takes well under a second; past this ffmpeg is stuck. */
const FFMPEG_TIMEOUT_MS = 60_000;

export interface MeasuredLoudness {
  /** Integrated loudness, LUFS (EBU R128 / ITU-R BS.1770, as ffmpeg's ebur128 filter reports it). */
  readonly lufs: number;
  /** True peak, dBTP (ebur128 with peak=true). */
  readonly truePeakDb: number;
  /** Highest sample, dBFS (volumedetect's max_volume): above 0 a player would clip. */
  readonly samplePeakDb: number;
  /** ffmpeg's error lines while decoding; empty for a clean stream. */
  readonly errors: string[];
}

/**
 * Decodes `input` (a file, or MP3 bytes) with ffmpeg and measures it the way the tests ask: ebur128
 * integrated loudness and true peak, volumedetect sample peak, decode errors. `inputOptions` go before `-i`
 * (`-err_detect crccheck`).
 */
export async function measureLoudness(input: string | Uint8Array, inputOptions: readonly string[] = []): Promise<MeasuredLoudness> {
  const fromBytes = typeof input !== 'string';
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info',
    ...inputOptions,
    ...(fromBytes ? ['-f', 'mp3'] : []),
    '-i', fromBytes ? 'pipe:0' : `file:${resolve(input)}`,
    '-af', 'ebur128=peak=true:framelog=verbose,volumedetect',
    '-f', 'null', '-',
  ];
  const stderr = await ffmpegStderr(args, fromBytes ? input : undefined);
  const number = (pattern: RegExp): number => {
    const match = pattern.exec(stderr);
    if (!match) throw new Error(`ffmpeg printed no ${String(pattern)}:\n${stderr.slice(-2000)}`);
    return match[1] === '-inf' ? -Infinity : Number(match[1]);
  };
  const errors = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\] /, ''))
    .filter((line) => /^\[(error|fatal|panic)\] /.test(line));
  return {
    lufs: number(/Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS/),
    truePeakDb: number(/True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/),
    samplePeakDb: number(/max_volume: (-?[\d.]+|-inf) dB/),
    errors,
  };
}

export interface LoudToneOptions {
  readonly path: string;
  readonly seconds: number;
  readonly frequency: number;
  /** The integrated loudness the tone is made at, LUFS. */
  readonly lufs: number;
  /** Default mp3 (libmp3lame 192 kb/s), else flac. */
  readonly format?: 'mp3' | 'flac';
  readonly sampleRate?: number;
  readonly channels?: 1 | 2;
  readonly title?: string;
}

/**
 * A stereo sine tone at a given integrated loudness: ffmpeg's sine source at full scale measured once, then
 * made again through the volume filter by the difference. Returns what the made file measures.
 */
export async function makeLoudTone(options: LoudToneOptions): Promise<MeasuredLoudness> {
  const sampleRate = options.sampleRate ?? 44100;
  const channels = options.channels ?? 2;
  const source = `sine=frequency=${options.frequency}:sample_rate=${sampleRate}:duration=${options.seconds}`;
  const probe = await ffmpegStderr([
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info',
    '-f', 'lavfi', '-i', source, '-ac', String(channels), '-af', 'ebur128=framelog=verbose', '-f', 'null', '-',
  ]);
  const match = /Integrated loudness:\s+I:\s+(-?[\d.]+) LUFS/.exec(probe);
  if (!match) throw new Error(`could not measure the tone: ${probe.slice(-1000)}`);
  const volumeDb = options.lufs - Number(match[1]);
  const codec = (options.format ?? 'mp3') === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '192k', '-f', 'mp3'] : ['-c:a', 'flac', '-f', 'flac'];
  await ffmpegStderr([
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', source, '-ac', String(channels), '-af', `volume=${volumeDb.toFixed(2)}dB`,
    ...(options.title === undefined ? [] : ['-metadata', `title=${options.title}`]),
    ...codec, options.path,
  ]);
  return measureLoudness(options.path);
}

async function ffmpegStderr(args: string[], stdin?: Uint8Array): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile('ffmpeg', args, { timeout: FFMPEG_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (error, _stdout, stderr) => {
      const text = stderr.toString('utf8');
      if (error) reject(new Error(`ffmpeg failed: ${text.trim().slice(-1500) || String(error)}`));
      else resolvePromise(text);
    });
    if (stdin) child.stdin?.end(Buffer.from(stdin));
    else child.stdin?.end();
  });
}
