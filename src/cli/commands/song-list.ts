import type { Command } from 'commander';
import type { Store } from '../../store/index.js';
import { parseRange, type Range } from '../format/range.js';
import { printJson, printLines, songFields, songFormat, songJson } from './output.js';

export interface ListFlags {
  readonly json?: boolean;
  readonly format?: string;
  readonly range?: string;
}

/** --json, -f/--format and --range, the read options of every song listing. */
export function addListOptions(command: Command): Command {
  return command
    .option('--json', 'print JSON instead of text')
    .option('-f, --format <format>', 'song line format: %position% %artist% %title% %album% %time% %ref%, [optional], a|b')
    .option('--range <START:END>', 'only positions START..END-1, counted from 0 like mpc (e.g. 0:10, 10:, 5)');
}

export function rangeOf(flags: ListFlags): Range | undefined {
  return flags.range === undefined ? undefined : parseRange(flags.range);
}

/** Prints refs as numbered song lines (positions count from the range start), with cached metadata. */
export async function printSongs(
  store: Store,
  refs: readonly string[],
  flags: ListFlags,
  start: number,
  wrap: (songs: Record<string, unknown>[]) => unknown = (songs) => songs,
): Promise<void> {
  const format = flags.json ? undefined : songFormat(flags.format);
  const metas = await store.caches.getSongMetas(refs);
  if (flags.json) {
    printJson(wrap(refs.map((ref, i) => songJson(ref, metas.get(ref), start + i + 1))));
    return;
  }
  printLines(refs.map((ref, i) => format!.render(songFields(ref, metas.get(ref), { position: String(start + i + 1) }))));
}
