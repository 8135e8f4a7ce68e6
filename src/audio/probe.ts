import type { FfprobeData } from 'fluent-ffmpeg';
import { songInput } from './commands.js';
import { AudioOptionError, ProbeError } from './errors.js';
import { ffprobe } from './ffmpeg.js';

/** What a file's tags say about the song; a tag that is absent or blank is left out. */
export interface SongTags {
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly durationMs?: number;
}

/** Tag names by container: MP4 and ID3 use lower case, Vorbis comments (FLAC, Ogg) upper case. */
const TAG_NAMES = {
  title: ['title'],
  artist: ['artist', 'album_artist', 'albumartist'],
  album: ['album'],
} as const;

/**
 * Reads title, artist, album and duration of a local audio file with ffprobe. Text is UTF-8 as ffprobe
 * prints it (CJK tags come through intact). Rejects with ProbeError when the file is missing, unreadable
 * or has no audio stream.
 */
export async function probeTags(path: string, options: { ffprobePath?: string } = {}): Promise<SongTags> {
  const input = songInput(path);
  if (input.kind !== 'file') throw new AudioOptionError(`probeTags: ${input.display} is not a local file`);

  let data: FfprobeData;
  try {
    data = await ffprobe(input.ffmpegInput, options.ffprobePath);
  } catch (error) {
    throw new ProbeError(input.display, ffprobeReason(error, input.ffmpegInput), { cause: error });
  }
  if (!data.streams.some((stream) => stream.codec_type === 'audio')) {
    throw new ProbeError(input.display, 'no audio stream in the file');
  }

  // Ogg puts its comments on the stream, other containers on the file.
  const tags = new Map<string, string>();
  for (const source of [...data.streams.map((stream) => stream.tags), data.format.tags]) {
    for (const [name, value] of Object.entries((source ?? {}) as Record<string, unknown>)) {
      const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
      if (text) tags.set(name.toLowerCase(), text);
    }
  }
  const first = (names: readonly string[]): string | undefined => names.map((name) => tags.get(name)).find((value) => value);

  const seconds = Number(data.format.duration);
  return {
    ...optional('title', first(TAG_NAMES.title)),
    ...optional('artist', first(TAG_NAMES.artist)),
    ...optional('album', first(TAG_NAMES.album)),
    ...optional('durationMs', Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** ffprobe's last stderr line (fluent-ffmpeg appends its stderr to the error), without the input's name. */
function ffprobeReason(error: unknown, ffmpegInput: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.at(-1) ?? 'ffprobe failed';
  return last.split(`${ffmpegInput}: `).join('').replace(/^spawn .* ENOENT$/, 'ffprobe is not installed (apt-get install -y ffmpeg)');
}
