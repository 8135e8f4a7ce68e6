import { parseRef, RefSyntaxError, type Ref } from '../relay/ref.js';
import { ValidationError } from './errors.js';

/**
 * Song and playlist refs as the store and the CLI see them: `<service>:<id>`. The syntax is the relay's
 * (src/relay/ref.ts), so a ref an admin can store is exactly a ref the relay will look up.
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

/** The ref parsed by the one ref syntax the relay also applies, or why it is refused. */
function refOf(text: string, kind: 'song' | 'playlist'): { problem: string } | SongRef {
  let parsed: Ref;
  try {
    parsed = parseRef(text);
  } catch (error) {
    if (error instanceof RefSyntaxError) return { problem: error.problem };
    throw error;
  }
  if (parsed.kind !== kind) return { problem: `that is a ${parsed.kind} ref; a ${kind} ref is needed here` };
  return { service: parsed.provider, id: idOf(parsed), ref: text };
}

function idOf(ref: Ref): string {
  if ('songmid' in ref) return ref.songmid;
  if ('path' in ref) return ref.path;
  if ('name' in ref) return ref.name;
  return ref.id;
}

/** A short, printable rendering of untrusted input for error messages. */
export function quoteInput(text: string, max = 60): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}

/** Parses a song ref or throws ValidationError saying what is wrong with it. */
export function parseSongRef(text: string): SongRef {
  const result = refOf(text, 'song');
  if ('problem' in result) throw new ValidationError(`invalid song ref ${quoteInput(text)}: ${result.problem}`);
  return result;
}

export function isSongRef(text: string): boolean {
  return !('problem' in refOf(text, 'song'));
}

/** `qq:playlist:<digits>`, `netease:playlist:<digits>` or `local:playlist:<name>`. */
export function isPlaylistRef(text: string): boolean {
  return !('problem' in refOf(text, 'playlist'));
}

export function parsePlaylistRef(text: string): PlaylistRef {
  const result = refOf(text, 'playlist');
  if ('problem' in result) throw new ValidationError(`invalid playlist ref ${quoteInput(text)}: ${result.problem}`);
  return result;
}
