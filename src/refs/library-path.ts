import { hasControlChars } from '../control-chars.js';

/** File types the local provider serves; anything else in the library (cover art, notes) stays private. */
export const LOCAL_AUDIO_EXTENSIONS = ['mp3', 'm4a', 'aac', 'flac', 'ogg', 'opus', 'wav'] as const;

/**
 * Why `path` is not an acceptable path inside the music library, or undefined when it is.
 * `audio` paths must name an audio file; `playlist` names an M3U with or without its extension.
 * The local library applies the very same rules to M3U entries and signed file tokens.
 */
export function libraryPathProblem(path: string, kind: 'audio' | 'playlist'): string | undefined {
  if (path === '') return 'empty path';
  // Never part of a file name anyone means to play.
  if (hasControlChars(path)) return 'control characters (NUL, newline…) are refused';
  if (path.includes('\\')) return 'backslashes are refused: use / between folders';
  // A ref must mean one thing whether or not something on the way decoded it once more, so no '%' at all.
  if (path.includes('%')) return "'%' is refused: send the path percent-decoded exactly once";
  if (path.startsWith('/')) return 'absolute paths are refused: give a path relative to the music library';
  for (const segment of path.split('/')) {
    if (segment === '') return 'empty path segment (// or a trailing /)';
    // Covers '.' and '..' (escaping the library) and hidden files and folders (never served).
    if (segment.startsWith('.')) return "segments starting with '.' are refused ('..', hidden files)";
  }
  if (kind === 'audio') {
    const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
    if (!extension || !(LOCAL_AUDIO_EXTENSIONS as readonly string[]).includes(extension)) {
      return `not an audio file (expected .${LOCAL_AUDIO_EXTENSIONS.join(', .')})`;
    }
  }
  return undefined;
}
