import { isAbsolute, resolve } from 'node:path';
import { isFileLocation } from '../location.js';
import { redactUrl } from '../log/index.js';
import { AudioOptionError } from './errors.js';
import type { StreamFormat } from './format.js';

/**
 * Every ffmpeg command line relaycast runs, built here and nowhere else. Output always goes to
 * stdout (ffmpegArguments appends `pipe:1`); a song's input is a file or an http(s) URL, never stdin, because
 * an m4a may keep its index (moov) at the end and ffmpeg must be able to seek. Only audio already in the
 * station's format and held in memory (the two sides of a crossfade) goes through stdin.
 */
export interface FfmpegCommandLine {
  /** What follows `-i`. */
  readonly input: string;
  /** Global and input options, before `-i`. */
  readonly inputOptions: readonly string[];
  readonly outputOptions: readonly string[];
}

/** The whole argument list: input options, `-i` input, output options, and stdout as the output. */
export function ffmpegArguments(command: FfmpegCommandLine): string[] {
  return [...command.inputOptions, '-i', command.input, ...command.outputOptions, 'pipe:1'];
}

/**
 * `level` prefixes each line with its level ("[error] ..."), so warnings and errors can be kept apart
 * from chatter. `verbose` makes ffmpeg print, at exit, how many samples it fed to the encoder
 * ("Output stream #0:0 (audio): 175 frames encoded (201537 samples)"): the exact song length the gapless
 * trim needs. Measured alternatives were worse: `-progress` out_time follows the encoded frames, not the
 * samples; an `astats` filter is exact but cost 35 % more CPU.
 */
const TRANSCODE_LOG_OPTIONS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+verbose'] as const;

/** An http(s) input that sends nothing for this long fails instead of hanging the song (ffmpeg's -rw_timeout, µs). */
export const NETWORK_TIMEOUT_US = 15_000_000;

/**
 * MP3 that concatenates cleanly with every other piece of the stream (measured, see the team's Icecast
 * notes, "ffmpeg output that concatenates cleanly"): CBR in exactly the station's format, every frame
 * self-contained (`-reservoir 0`, so frames can be dropped at joins: see gapless.ts), no ID3 tag, no
 * Xing/Info frame, no tags copied from the input.
 */
export function mp3OutputOptions(format: StreamFormat): string[] {
  return [
    '-vn',
    '-map_metadata', '-1',
    '-c:a', 'libmp3lame',
    '-b:a', `${format.bitrateKbps}k`,
    '-ar', String(format.sampleRate),
    '-ac', String(format.channels),
    '-reservoir', '0',
    '-id3v2_version', '0',
    '-write_xing', '0',
    '-f', 'mp3',
  ];
}

/** A song's input as ffmpeg will open it, and as it may be logged. */
export interface SongInput {
  readonly kind: 'file' | 'url';
  /** The argument of `-i`: `file:` + absolute path, or the URL. */
  readonly ffmpegInput: string;
  /** For logs and errors: the path, or the URL without credentials or query string. */
  readonly display: string;
}

/** Checks and classifies a song's input; anything but a local path or an http(s) URL is refused. */
export function songInput(input: string): SongInput {
  if (typeof input !== 'string' || input.trim() === '') throw new AudioOptionError('transcode: input must be a file path or an http(s) URL');
  if (/^https?:\/\//i.test(input)) {
    try {
      new URL(input);
    } catch {
      throw new AudioOptionError(`transcode: input ${redactUrl(input)} is not a valid URL`);
    }
    return { kind: 'url', ffmpegInput: input, display: redactUrl(input) };
  }
  if (input === '-' || !isFileLocation(input)) {
    // pipe:, concat:, tcp:... ffmpeg reads all of them; a song is only ever a file or a URL.
    throw new AudioOptionError(`transcode: input ${JSON.stringify(input.slice(0, 80))} is neither a file path nor an http(s) URL`);
  }
  const path = isAbsolute(input) ? input : resolve(input);
  // The `file:` prefix keeps ffmpeg from reading a colon in a file name as a protocol.
  return { kind: 'file', ffmpegInput: `file:${path}`, display: path };
}

/**
 * The song's loudness, measured in the run that transcodes it (loudness.ts reads the summary from its log).
 * `aformat` first converts to the station's rate and channels, so ebur128 measures the samples the encoder
 * gets (a mono song upmixed to stereo by -3 dB per channel is measured as heard); `peak=true` adds the true
 * peak (4× oversampled). Measured on a 3-minute song at 128 kb/s: 1.47 → 2.0 CPU-s, once per song, since
 * the frames are cached. ffmpeg 5.1's ebur128 cannot silence its per-100 ms log lines below `verbose`
 * (framelog takes info or verbose only): about ten short lines per second of audio, ignored.
 */
export function loudnessFilter(format: StreamFormat): string {
  return `aformat=sample_rates=${format.sampleRate}:channel_layouts=${format.channels === 2 ? 'stereo' : 'mono'},ebur128=peak=true`;
}

/**
 * ffmpeg writes its output to a pipe one MP3 frame (~418 bytes) at a time unless told not to flush each
 * packet. From a local file it runs at CPU speed, so its 32 KiB output buffer fills in milliseconds, and
 * whole buffers cost ffmpeg and the reader a system call and a stream chunk per ~78 frames instead of one
 * each: measured, the frame-by-frame writes were the largest cost of a worker filling the cache (its
 * writer wrote each small batch to disk). A network source may trickle: its frames go out as they are made.
 */
const FILE_OUTPUT_OPTIONS = ['-flush_packets', '0'] as const;

/** One song to MP3 frames on stdout; only the first audio stream (cover art and others are ignored). */
export function transcodeCommand(input: SongInput, format: StreamFormat): FfmpegCommandLine {
  return {
    input: input.ffmpegInput,
    inputOptions: [...TRANSCODE_LOG_OPTIONS, ...(input.kind === 'url' ? ['-rw_timeout', String(NETWORK_TIMEOUT_US)] : [])],
    outputOptions: ['-map', '0:a:0', '-af', loudnessFilter(format), ...mp3OutputOptions(format), ...(input.kind === 'file' ? FILE_OUTPUT_OPTIONS : [])],
  };
}

/** Raw interleaved 16-bit PCM in the station's rate and channels: what a crossfade is mixed in. */
const PCM_OPTIONS = (format: StreamFormat): string[] => ['-f', 's16le', '-ar', String(format.sampleRate), '-ac', String(format.channels)];
const MEMORY_LOG_OPTIONS = ['-hide_banner', '-nostats', '-loglevel', 'error'] as const;

/** The station's own MP3 frames, from stdin, decoded to PCM (no Xing frame, so no sample is skipped). */
export function framesToPcmCommand(format: StreamFormat): FfmpegCommandLine {
  return { input: 'pipe:0', inputOptions: [...MEMORY_LOG_OPTIONS, '-f', 'mp3'], outputOptions: PCM_OPTIONS(format) };
}

/** PCM from stdin encoded exactly as songs are (mp3OutputOptions), so its frames join the stream like a song's. */
export function pcmToFramesCommand(format: StreamFormat): FfmpegCommandLine {
  return { input: 'pipe:0', inputOptions: [...MEMORY_LOG_OPTIONS, ...PCM_OPTIONS(format)], outputOptions: mp3OutputOptions(format) };
}
