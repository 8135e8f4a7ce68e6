import { libraryPathProblem } from './library-path.js';
import { RefSyntaxError } from './ref-syntax-error.js';

/**
 * Song and playlist refs: the one syntax shared by the relay, its HTTP API, the store, the CLI and the worker.
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

const MAX_REF_LENGTH = 1024;
// QQ songmids are 14 characters of [0-9A-Za-z] (e.g. 002wit7s1Tvdlg).
const QQ_SONGMID = /^[0-9A-Za-z]{14}$/;
// NetEase song/playlist ids and QQ disstids are positive decimal integers.
const NUMERIC_ID = /^[1-9][0-9]{0,19}$/;
const REF_SHAPE = new RegExp(`^(${PROVIDER_NAMES.join('|')}):(.*)$`, 's');
const SHAPES = 'expected qq:<songmid>, netease:<id>, local:<path> or <provider>:playlist:<id>';

export function parseRef(ref: string): Ref {
  if (ref.length > MAX_REF_LENGTH) throw new RefSyntaxError(ref, `longer than ${MAX_REF_LENGTH} characters`);
  const match = REF_SHAPE.exec(ref);
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

/** True for a ref a song can be played from; parseSongRef says why not. */
export function isSongRef(text: string): boolean {
  return parsesAs(text, 'song');
}

export function isPlaylistRef(text: string): boolean {
  return parsesAs(text, 'playlist');
}

/** Whether `text` names a provider (`qq:`, `netease:`, `local:`), so it is meant as a ref, well formed or not. */
export function hasProviderPrefix(text: string): boolean {
  return REF_SHAPE.test(text);
}

export function isQqSongmid(value: string): boolean {
  return QQ_SONGMID.test(value);
}

function numericId(ref: string, id: string, what: string): string {
  if (!NUMERIC_ID.test(id)) throw new RefSyntaxError(ref, `${what} is a positive decimal number`);
  return id;
}

function parsesAs(text: string, kind: Ref['kind']): boolean {
  try {
    return parseRef(text).kind === kind;
  } catch (error) {
    if (error instanceof RefSyntaxError) return false;
    throw error;
  }
}
