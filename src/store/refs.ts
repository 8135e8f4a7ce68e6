import { ValidationError } from './errors.js';

/**
 * Song and playlist refs: `<service>:<id>`. Kept small and strict on purpose: a ref is a Redis key
 * suffix, a URL path segment at the relay and a line in an M3U file, so anything odd is refused here.
 */
export type SongService = 'qq' | 'netease' | 'local';

export interface SongRef {
  readonly service: SongService;
  /** The service's id: a QQ songmid, a NetEase numeric id, or a path relative to the relay's music folder. */
  readonly id: string;
  /** The canonical `<service>:<id>` string. */
  readonly ref: string;
}

export interface PlaylistRef {
  readonly service: SongService;
  readonly id: string;
  readonly ref: string;
}

/** Longest relative path a `local:` ref may carry. */
export const MAX_LOCAL_PATH_LENGTH = 512;
/** Longest name of a relay-side local playlist (`local:playlist:<name>`). */
export const MAX_LOCAL_PLAYLIST_NAME_LENGTH = 128;

const QQ_SONGMID = /^[0-9A-Za-z]{10,20}$/;
const NETEASE_ID = /^\d{1,12}$/;
const QQ_PLAYLIST_ID = /^\d{1,20}$/;
// C0 controls, DEL and C1 controls: they corrupt terminals, M3U lines and log lines.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlChars(text: string): boolean {
  return CONTROL_CHARS.test(text);
}

/** Why a `local:` path is refused, or null when it is a clean relative path. */
function localPathProblem(path: string): string | null {
  if (path.length === 0) return 'the path is empty';
  if (path.length > MAX_LOCAL_PATH_LENGTH) return `the path is longer than ${MAX_LOCAL_PATH_LENGTH} characters`;
  if (hasControlChars(path)) return 'the path contains control characters';
  if (path.startsWith('/') || path.includes('\\')) return 'the path must be relative, with / separators';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return 'the path must not contain ..';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'the path has an empty or . segment';
  return null;
}

function songRefProblem(text: string): { problem: string } | SongRef {
  const colon = text.indexOf(':');
  const service = colon < 0 ? '' : text.slice(0, colon);
  const id = colon < 0 ? '' : text.slice(colon + 1);
  switch (service) {
    case 'qq':
      return QQ_SONGMID.test(id) ? { service, id, ref: text } : { problem: 'a QQ songmid is 10-20 letters or digits' };
    case 'netease':
      return NETEASE_ID.test(id) ? { service, id, ref: text } : { problem: 'a NetEase song id is 1-12 digits' };
    case 'local': {
      const problem = id.startsWith('playlist:') ? 'that is a playlist ref, not a song' : localPathProblem(id);
      return problem ? { problem } : { service, id, ref: text };
    }
    default:
      return { problem: 'expected qq:<songmid>, netease:<id> or local:<relative path>' };
  }
}

/** A short, printable rendering of untrusted input for error messages. */
export function quoteInput(text: string, max = 60): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}

/** Parses a song ref or throws ValidationError saying what is wrong with it. */
export function parseSongRef(text: string): SongRef {
  const result = songRefProblem(text);
  if ('problem' in result) throw new ValidationError(`invalid song ref ${quoteInput(text)}: ${result.problem}`);
  return result;
}

export function isSongRef(text: string): boolean {
  return !('problem' in songRefProblem(text));
}

function playlistRefOf(text: string): PlaylistRef | null {
  const match = /^(qq|netease|local):playlist:(.*)$/s.exec(text);
  if (!match) return null;
  const service = match[1] as SongService;
  const id = match[2] ?? '';
  const valid =
    service === 'qq'
      ? QQ_PLAYLIST_ID.test(id)
      : service === 'netease'
        ? NETEASE_ID.test(id)
        : id.length > 0 &&
          id.length <= MAX_LOCAL_PLAYLIST_NAME_LENGTH &&
          !hasControlChars(id) &&
          !id.includes('/') &&
          !id.includes('\\') &&
          id !== '.' &&
          id !== '..';
  return valid ? { service, id, ref: text } : null;
}

/** `qq:playlist:<digits>`, `netease:playlist:<digits>` or `local:playlist:<name>`. */
export function isPlaylistRef(text: string): boolean {
  return playlistRefOf(text) !== null;
}

export function parsePlaylistRef(text: string): PlaylistRef {
  const parsed = playlistRefOf(text);
  if (!parsed) {
    throw new ValidationError(
      `invalid playlist ref ${quoteInput(text)}: expected qq:playlist:<id>, netease:playlist:<id> or local:playlist:<name>`,
    );
  }
  return parsed;
}
