import { splitDisplayTitle } from '../song-title.js';

/** One entry of an .m3u/.m3u8 file: what to play and what its `#EXTINF` line said about it. */
export interface M3uEntry {
  /** 1-based line number of the location line, for messages. */
  readonly line: number;
  /** As written: a song ref, a path (relative to the M3U or absolute) or a URL. */
  readonly location: string;
  /** Only a positive length: writers put -1 or 0 for "unknown". */
  readonly durationSec?: number;
  /** `#EXTINF:<seconds>,<artist> - <title>`: the display text split at the first " - ". */
  readonly artist?: string;
  readonly title?: string;
}

/** Longest playlist read, in entries, unless the caller sets a lower bound: memory for a file nobody checked. */
export const MAX_M3U_ENTRIES = 100_000;

type Extinf = Omit<M3uEntry, 'line' | 'location'>;

/**
 * Entries of extended or plain M3U text, in order, at most `maxEntries`. Forgiving the way players are: a UTF-8
 * byte-order mark; CRLF, LF or lone CR (classic Mac) line ends; `#extinf` in any case; attributes between the
 * duration and the comma (`#EXTINF:-1 tvg-id="a,b",Title`); a missing duration or title. `#EXTINF` describes
 * the next location only; `#EXTM3U`, other directives, comments and blank lines are skipped.
 */
export function parseM3u(text: string, maxEntries = MAX_M3U_ENTRIES): M3uEntry[] {
  const entries: M3uEntry[] = [];
  let extinf: Extinf = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length && entries.length < maxEntries; i += 1) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (/^#EXTINF:/i.test(line)) extinf = parseExtinf(line.slice('#EXTINF:'.length));
      continue;
    }
    entries.push({ line: i + 1, location: line, ...extinf });
    extinf = {};
  }
  return entries;
}

// The duration, then attributes (whose quoted values may hold commas), then the comma before the display text.
// A lone quote is taken as a character, so every body matches in one pass.
const EXTINF_BODY = /^\s*(-?\d+(?:\.\d+)?)?(?:[^,"]|"[^"]*"|")*(?:,(.*))?$/;

function parseExtinf(body: string): Extinf {
  const match = EXTINF_BODY.exec(body) as RegExpExecArray;
  const seconds = match[1] === undefined ? Number.NaN : Number(match[1]);
  const { artist, title } = splitDisplayTitle(match[2] ?? '');
  return {
    ...(seconds > 0 && { durationSec: seconds }),
    ...(artist && { artist }),
    ...(title && { title }),
  };
}
