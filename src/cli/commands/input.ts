import { parseM3u } from '../../m3u/index.js';
import { ValidationError } from '../../errors.js';
import { validateSongRef } from '../../store/validate.js';
import { notFoundError, usageError } from '../cli-error.js';

/** Input read from stdin is bounded: 10 000 refs are ~300 KiB, an M3U with EXTINF lines a few MiB. */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024;
/** Positions given in one command (ranges expanded). */
export const MAX_POSITIONS = 10_000;

export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw usageError(`standard input is larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Song refs, one per line; blank lines and `#` comment lines (so `#EXTINF` of an exported M3U) are
 * skipped. Every line is checked before anything is used: one bad line fails the whole command.
 */
export function parseRefLines(text: string, origin = 'stdin'): string[] {
  const refs = parseM3u(text).map((entry) => {
    try {
      return validateSongRef(entry.location);
    } catch (error) {
      throw new ValidationError(`${origin} line ${entry.line}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (refs.length === 0) throw new ValidationError(`no song refs on ${origin}`);
  return refs;
}

/** The refs of a command line: the arguments, or stdin when the only argument is `-`. */
export async function refsFromArgs(args: readonly string[], stdin?: NodeJS.ReadableStream): Promise<string[]> {
  if (args.includes('-')) {
    if (args.length > 1) throw usageError('give refs as arguments or - for stdin, not both');
    return parseRefLines(await readStdin(stdin));
  }
  return args.map(validateSongRef);
}

/**
 * A 1-based position as typed by an admin. A well-formed position past the end is a position that does not
 * exist (exit 3, as the README's table says), not bad input: the store says how long the list is.
 */
export function parsePosition(text: string, what = 'position'): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usageError(`invalid ${what} ${JSON.stringify(text)}: expected a number from 1`);
  const position = Number(text);
  if (!Number.isSafeInteger(position)) throw notFoundError(`${what} ${text} is out of range: no list is that long`);
  return position;
}

/** Positions `3`, and ranges `3-7` (both ends included, as mpc del). */
export function parsePositions(args: readonly string[]): number[] {
  const positions: number[] = [];
  for (const arg of args) {
    const range = /^(\d{1,9})-(\d{1,9})$/.exec(arg);
    if (!range) {
      positions.push(parsePosition(arg));
    } else {
      const from = parsePosition(range[1] as string);
      const to = parsePosition(range[2] as string);
      if (to < from) throw usageError(`invalid position range ${arg}: the end is before the start`);
      if (to - from + 1 + positions.length > MAX_POSITIONS) throw usageError(`more than ${MAX_POSITIONS} positions`);
      for (let position = from; position <= to; position += 1) positions.push(position);
    }
    if (positions.length > MAX_POSITIONS) throw usageError(`more than ${MAX_POSITIONS} positions`);
  }
  return positions;
}

export function parseOnOff(text: string, what: string): boolean {
  const value = text.toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(value)) return true;
  if (['off', 'no', 'false', '0'].includes(value)) return false;
  throw usageError(`invalid ${what} ${JSON.stringify(text)}: expected on or off`);
}

/** A whole number within bounds, for flags such as --bitrate. */
export function parseWholeNumber(text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text)) throw usageError(`invalid ${what} ${JSON.stringify(text)}: expected a whole number`);
  return Number(text);
}
