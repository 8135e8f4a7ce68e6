import { RelaycastError } from '../errors.js';

/**
 * Song and playlist refs: the one syntax shared by the relay, its HTTP API and the worker.
 * Strict on purpose: a ref is the only client input that reaches a provider, so anything that could
 * steer a request to another host or a file outside the music library is refused here.
 */
export type SongRef =
  | { kind: 'song'; provider: 'qq'; songmid: string }
  | { kind: 'song'; provider: 'netease'; id: string }
  | { kind: 'song'; provider: 'local'; path: string };

export type PlaylistRef =
  | { kind: 'playlist'; provider: 'qq'; id: string }
  | { kind: 'playlist'; provider: 'netease'; id: string }
  | { kind: 'playlist'; provider: 'local'; name: string };

export type Ref = SongRef | PlaylistRef;

export const PROVIDER_NAMES = ['local', 'netease', 'qq'] as const;

export class RefSyntaxError extends RelaycastError {
  readonly ref: string;
  /** What is wrong, without the ref: for callers that word their own message. */
  readonly problem: string;

  constructor(ref: string, problem: string) {
    // JSON.stringify keeps the message on one line whatever control characters the ref holds.
    const shown = JSON.stringify(ref.length > 80 ? `${ref.slice(0, 80)}…` : ref);
    super('ERR_REF_SYNTAX', `bad ref ${shown}: ${problem}`);
    this.ref = ref;
    this.problem = problem;
  }
}

/** File types the local provider serves; anything else in the library (cover art, notes) stays private. */
export const LOCAL_AUDIO_EXTENSIONS = ['mp3', 'm4a', 'aac', 'flac', 'ogg', 'opus', 'wav'] as const;

const MAX_REF_LENGTH = 1024;
// QQ songmids are 14 characters of [0-9A-Za-z] (e.g. 002wit7s1Tvdlg).
const QQ_SONGMID = /^[0-9A-Za-z]{14}$/;
// NetEase song/playlist ids and QQ disstids are positive decimal integers.
const NUMERIC_ID = /^[1-9][0-9]{0,19}$/;
// C0 controls, DEL and NUL: never part of a file name anyone means to play.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const SHAPES = 'expected qq:<songmid>, netease:<id>, local:<path> or <provider>:playlist:<id>';

export function parseRef(ref: string): Ref {
  if (ref.length > MAX_REF_LENGTH) throw new RefSyntaxError(ref, `longer than ${MAX_REF_LENGTH} characters`);
  const match = /^(qq|netease|local):(.*)$/s.exec(ref);
  if (!match) throw new RefSyntaxError(ref, SHAPES);
  const provider = match[1] as 'qq' | 'netease' | 'local';
  const rest = match[2] ?? '';
  const isPlaylist = rest.startsWith('playlist:');
  const id = isPlaylist ? rest.slice('playlist:'.length) : rest;

  switch (provider) {
    case 'qq':
      if (isPlaylist) return { kind: 'playlist', provider, id: numericId(ref, id, 'a QQ playlist id (disstid)') };
      if (!isQqSongmid(id)) throw new RefSyntaxError(ref, 'a QQ songmid is 14 letters or digits');
      return { kind: 'song', provider, songmid: id };
    case 'netease':
      return isPlaylist
        ? { kind: 'playlist', provider, id: numericId(ref, id, 'a NetEase playlist id') }
        : { kind: 'song', provider, id: numericId(ref, id, 'a NetEase song id') };
    case 'local': {
      const problem = libraryPathProblem(id, isPlaylist ? 'playlist' : 'audio');
      if (problem) throw new RefSyntaxError(ref, problem);
      return isPlaylist ? { kind: 'playlist', provider, name: id } : { kind: 'song', provider, path: id };
    }
  }
}

export function parseSongRef(ref: string): SongRef {
  const parsed = parseRef(ref);
  if (parsed.kind !== 'song') throw new RefSyntaxError(ref, 'this is a playlist ref; a song ref is needed here');
  return parsed;
}

export function parsePlaylistRef(ref: string): PlaylistRef {
  const parsed = parseRef(ref);
  if (parsed.kind !== 'playlist') throw new RefSyntaxError(ref, 'this is a song ref; a playlist ref is needed here');
  return parsed;
}

export function formatRef(ref: Ref): string {
  const playlist = ref.kind === 'playlist' ? 'playlist:' : '';
  switch (ref.provider) {
    case 'qq':
      return `qq:${playlist}${'songmid' in ref ? ref.songmid : ref.id}`;
    case 'netease':
      return `netease:${playlist}${ref.id}`;
    case 'local':
      return `local:${playlist}${'path' in ref ? ref.path : ref.name}`;
  }
}

/**
 * Why `path` is not an acceptable path inside the music library, or undefined when it is.
 * `audio` paths must name an audio file; `playlist` names an M3U with or without its extension.
 * Exported so the local library applies the very same rules to M3U entries and signed file tokens.
 */
export function libraryPathProblem(path: string, kind: 'audio' | 'playlist'): string | undefined {
  if (path === '') return 'empty path';
  if (CONTROL_CHARACTERS.test(path)) return 'control characters (NUL, newline…) are refused';
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

export function isQqSongmid(value: string): boolean {
  return QQ_SONGMID.test(value);
}

function numericId(ref: string, id: string, what: string): string {
  if (!NUMERIC_ID.test(id)) throw new RefSyntaxError(ref, `${what} is a positive decimal number`);
  return id;
}
