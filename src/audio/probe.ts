import { execFile } from 'node:child_process';
import { songInput } from './commands.js';
import { AudioOptionError, ProbeError } from './errors.js';
import { readMp4SongInfo } from './mp4-song-info.js';
import type { SongTags } from './song-tags.js';
import { declaredLength, type ProbedContainer } from './source-padding.js';

/** Tag names by container: MP4 and ID3 use lower case, Vorbis comments (FLAC, Ogg) upper case. */
const TAG_NAMES = {
  title: ['title'],
  artist: ['artist', 'album_artist', 'albumartist'],
  album: ['album'],
} as const;

/**
 * JSON, not ffprobe's default `key=value` lines (which fluent-ffmpeg's ffprobe parses): a tag value may hold
 * newlines, and a line-based reader cuts it there and reads its next line as a tag of its own.
 */
const PROBE_ARGS = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'] as const;
/** A local file's header is read in milliseconds; past this ffprobe is stuck (a hung network mount). */
const PROBE_TIMEOUT_MS = 10_000;
/** ffprobe's JSON for one file is a few KiB (cover art is not printed); more is not a song. */
const PROBE_MAX_OUTPUT_BYTES = 1024 * 1024;

/** The parts of ffprobe's JSON read here; every field may be missing. */
interface ProbeJson extends ProbedContainer {
  streams?: Array<NonNullable<ProbedContainer['streams']>[number] & { tags?: unknown }>;
  format?: { format_name?: unknown; duration?: unknown; tags?: unknown };
}

/**
 * Reads title, artist, album, duration (and an m4a's declared length) of a local audio file: an MP4 in
 * this process when its `moov` says all ffprobe would (mp4-song-info.ts), anything else with ffprobe.
 * Text is UTF-8 (CJK and multi-line tags come through intact). Rejects with ProbeError when the file is
 * missing, unreadable or has no audio stream.
 */
export async function probeTags(path: string, options: { ffprobePath?: string } = {}): Promise<SongTags> {
  const { display } = localFile(path);
  return (await readMp4SongInfo(display).catch(() => undefined)) ?? ffprobeTags(display, options.ffprobePath);
}

/** probeTags by ffprobe, whatever the file. */
export async function ffprobeTags(path: string, ffprobePath = 'ffprobe'): Promise<SongTags> {
  const input = localFile(path);
  const data = await runFfprobe(input.ffmpegInput, ffprobePath).catch((error: unknown) => {
    throw new ProbeError(input.display, ffprobeReason(error, input.ffmpegInput), { cause: error });
  });
  const streams = Array.isArray(data.streams) ? data.streams : [];
  if (!streams.some((stream) => stream.codec_type === 'audio')) {
    throw new ProbeError(input.display, 'no audio stream in the file');
  }

  // Ogg puts its comments on the stream, other containers on the file.
  const tags = new Map<string, string>();
  for (const source of [...streams.map((stream) => stream.tags), data.format?.tags]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
      if (text) tags.set(name.toLowerCase(), text);
    }
  }
  const first = (names: readonly string[]): string | undefined => names.map((name) => tags.get(name)).find((value) => value);

  const seconds = Number(data.format?.duration);
  return {
    ...optional('title', first(TAG_NAMES.title)),
    ...optional('artist', first(TAG_NAMES.artist)),
    ...optional('album', first(TAG_NAMES.album)),
    ...optional('durationMs', Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined),
    ...optional('declaredLength', declaredLength(data)),
  };
}

function localFile(path: string): { display: string; ffmpegInput: string } {
  const input = songInput(path);
  if (input.kind !== 'file') throw new AudioOptionError(`probeTags: ${input.display} is not a local file`);
  return input;
}

/** ffprobe's JSON for one input; rejects with an error whose message ends with ffprobe's last stderr line. */
function runFfprobe(ffmpegInput: string, ffprobePath: string): Promise<ProbeJson> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath,
      [...PROBE_ARGS, ffmpegInput],
      { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: PROBE_MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const timedOut = error.killed && error.signal === 'SIGKILL';
          reject(new Error(timedOut ? `ffprobe took longer than ${PROBE_TIMEOUT_MS / 1000} s` : `${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as ProbeJson);
        } catch (cause) {
          reject(new Error('ffprobe printed no JSON', { cause }));
        }
      },
    );
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** ffprobe's last stderr line (appended to the error's message), without the input's name. */
function ffprobeReason(error: unknown, ffmpegInput: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.at(-1) ?? 'ffprobe failed';
  return last.split(`${ffmpegInput}: `).join('').replace(/^spawn .* ENOENT$/, 'ffprobe is not installed (apt-get install -y ffmpeg)');
}
