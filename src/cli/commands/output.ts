import type { SongMeta } from '../../store/index.js';
import { compileFormat, type FormatFields, type SongFormat } from '../format/song-format.js';
import { formatDuration } from '../format/time.js';

// `relaycast playlist show x | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** What a read command found: as JSON with --json, else as the lines `describe` makes of it. */
export function printRead<T>(flags: { json?: boolean }, value: T, describe: (value: T) => readonly string[]): void {
  if (flags.json) printJson(value);
  else printLines(describe(value));
}

export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Notes that are not the command's output (warnings, progress summaries) go to stderr. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Display fields of one song for -f; missing metadata leaves tags empty so `[...]` groups drop out. */
export function songFields(ref: string, meta: SongMeta | undefined, extra: FormatFields = {}): FormatFields {
  return {
    ref,
    file: ref,
    ...(meta && {
      title: meta.title,
      artist: meta.artist,
      ...(meta.album && { album: meta.album }),
      ...(meta.durationMs !== undefined && { time: formatDuration(meta.durationMs) }),
    }),
    ...extra,
  };
}

/** Song lines as mpc prints them: position, then artist - title (or the ref when not cached). */
export const DEFAULT_SONG_FORMAT = '%position%. [[%artist% - ]%title%|%ref%][ (%time%)]';

export function songFormat(format: string | undefined, fallback = DEFAULT_SONG_FORMAT): SongFormat {
  return compileFormat(format ?? fallback);
}

/** The JSON form of a listed song: what is known, nothing invented. */
export function songJson(ref: string, meta: SongMeta | undefined, position: number): Record<string, unknown> {
  return {
    position,
    ref,
    ...(meta && { title: meta.title, artist: meta.artist, album: meta.album ?? null, durationMs: meta.durationMs ?? null }),
  };
}
