import { usageError } from '../cli-error.js';

/**
 * `--range START:END` as mpc reads it: 0-based START, END excluded, both optional (`5:`, `:10`, `:`);
 * a single number N means just that index (N:N+1).
 */
export interface Range {
  readonly start: number;
  readonly end?: number;
}

/** Larger indexes are typos; the store's lists are far shorter. */
const MAX_INDEX = 10_000_000;

function parseIndex(text: string, which: string, whole: string): number {
  if (!/^\d+$/.test(text)) throw usageError(`invalid range ${JSON.stringify(whole)}: ${which} must be a whole number ≥ 0`);
  const value = Number(text);
  if (value > MAX_INDEX) throw usageError(`invalid range ${JSON.stringify(whole)}: ${which} is too large`);
  return value;
}

export function parseRange(text: string): Range {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const index = parseIndex(text, 'the index', text);
    return { start: index, end: index + 1 };
  }
  const startText = text.slice(0, colon);
  const endText = text.slice(colon + 1);
  const start = startText === '' ? 0 : parseIndex(startText, 'START', text);
  if (endText === '') return { start };
  const end = parseIndex(endText, 'END', text);
  if (end < start) throw usageError(`invalid range ${JSON.stringify(text)}: END is before START`);
  return { start, end };
}
