import { usageError } from '../cli-error.js';

/**
 * mpc-style format strings (`-f/--format`): `%tag%` is replaced by a song's field; `[...]` is printed only
 * when every tag inside it has a value; `|` separates alternatives (the first whose tags all have values
 * wins, e.g. `[%artist% - ]%title%|%ref%`); `&` joins parts that must all have values; `\` escapes
 * `[ ] | & % \` and writes `\n` / `\t`.
 */
export const FORMAT_TAGS = ['artist', 'title', 'album', 'time', 'position', 'ref', 'file', 'source', 'played'] as const;
export type FormatTag = (typeof FORMAT_TAGS)[number];
export type FormatFields = Partial<Record<FormatTag, string>>;

type Item = { kind: 'text'; text: string } | { kind: 'tag'; tag: FormatTag } | { kind: 'group'; alternatives: Item[][] };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t' };
/** Bound on nested brackets: a format is typed by a person, deeper nesting is a mistake. */
const MAX_DEPTH = 16;

function parse(format: string): Item[][] {
  let index = 0;

  function parseAlternatives(depth: number): Item[][] {
    if (depth > MAX_DEPTH) throw usageError(`brackets nested deeper than ${MAX_DEPTH}`);
    const alternatives: Item[][] = [[]];
    let current = alternatives[0] as Item[];
    const pushText = (text: string) => {
      const last = current[current.length - 1];
      if (last?.kind === 'text') last.text += text;
      else current.push({ kind: 'text', text });
    };
    while (index < format.length) {
      const char = format[index] as string;
      if (char === '\\') {
        const next = format[index + 1];
        if (next === undefined) throw usageError('format ends with a lone \\');
        pushText(ESCAPES[next] ?? next);
        index += 2;
      } else if (char === '[') {
        index += 1;
        current.push({ kind: 'group', alternatives: parseAlternatives(depth + 1) });
        if (format[index] !== ']') throw usageError('a [ has no matching ]');
        index += 1;
      } else if (char === ']') {
        if (depth === 0) throw usageError('a ] has no matching [');
        return alternatives;
      } else if (char === '|') {
        current = [];
        alternatives.push(current);
        index += 1;
      } else if (char === '&') {
        index += 1;
      } else if (char === '%') {
        const end = format.indexOf('%', index + 1);
        const name = end < 0 ? '' : format.slice(index + 1, end);
        if (!(FORMAT_TAGS as readonly string[]).includes(name)) {
          throw usageError(
            `unknown tag ${end < 0 ? '%' : `%${name}%`}: known tags are ${FORMAT_TAGS.map((tag) => `%${tag}%`).join(' ')} (write \\% for a %)`,
          );
        }
        current.push({ kind: 'tag', tag: name as FormatTag });
        index = end + 1;
      } else {
        pushText(char);
        index += 1;
      }
    }
    return alternatives;
  }

  return parseAlternatives(0);
}

function renderSequence(items: Item[], fields: FormatFields): { text: string; complete: boolean } {
  let text = '';
  let complete = true;
  for (const item of items) {
    if (item.kind === 'text') text += item.text;
    else if (item.kind === 'tag') {
      const value = fields[item.tag];
      if (value === undefined || value === '') complete = false;
      else text += value;
    } else {
      text += renderGroup(item.alternatives, fields) ?? '';
    }
  }
  return { text, complete };
}

function renderGroup(alternatives: Item[][], fields: FormatFields): string | null {
  for (const alternative of alternatives) {
    const rendered = renderSequence(alternative, fields);
    if (rendered.complete) return rendered.text;
  }
  return null;
}

export interface SongFormat {
  render(fields: FormatFields): string;
}

/** Compiles a format once; throws a usage CliError (exit 2) that says what to fix. */
export function compileFormat(format: string): SongFormat {
  const alternatives = parse(format);
  return {
    render(fields) {
      // At the top level something is always printed: the first complete alternative, else the first with blanks.
      return renderGroup(alternatives, fields) ?? renderSequence(alternatives[0] ?? [], fields).text;
    },
  };
}
