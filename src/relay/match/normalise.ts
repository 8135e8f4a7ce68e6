import { toSimplified } from './hanzi.js';
import { versionTagsOf } from './versions.js';

/** A title reduced to what identifies a recording. */
export interface TitleKey {
  /** Letters and digits only: case, width, punctuation, spacing and traditional characters folded. */
  base: string;
  /** Version tags of the suffixes, sorted (empty for the plain studio recording). */
  versions: string[];
  /** Artist keys credited in the title ("feat. X", "ft. X", "(with X)"): they join the artist set. */
  featured: string[];
}

/** Bound on suffixes peeled off one title: real titles have one or two; the bound keeps odd input cheap. */
const MAX_SUFFIXES = 8;
const BRACKETS: Record<string, string> = { '(': ')', '[': ']', '【': '】', '〔': '〕', '<': '>', '〈': '〉' };
/** Credits of other artists, in a suffix or trailing the title without brackets. */
const FEATURING = /^(?:feat\.?|ft\.?|featuring|with)\s*[:：]?\s*(.+)$/;
const TRAILING_FEATURING = /\s(?:feat\.?|ft\.?|featuring)\s+(.+)$/;
/** "Faded - Live", "晴天 – DJ版": a dash with spaces around it starts a suffix. */
const DASH_SUFFIX = /\s[-–—~～]\s+([^-–—]+)$/;
/** Separators between artist names in one credit ("A & B", "A/B", "A、B", "A, B", "A x B"). */
const ARTIST_SEPARATORS = /\s*(?:[&/、,，;；+()]|\sx\s|\s×\s|\band\b)\s*/;
/** Parts of a split credit shorter than this are ignored: "(G)I-DLE" must not yield an artist "g". */
const MIN_ARTIST_PART = 2;

/** Case, full/half width, traditional/simplified folded; spacing collapsed. Punctuation still there. */
export function foldText(text: string): string {
  return toSimplified(text.normalize('NFKC').toLowerCase()).replace(/\s+/g, ' ').trim();
}

/** Only letters and digits of folded text: "Don't Stop!" and "dont stop" share a key. */
function lettersOnly(folded: string): string {
  return folded.replace(/[^\p{L}\p{N}]+/gu, '');
}

/** One artist name as a comparable key (empty when the name has no letters or digits). */
export function artistKey(name: string): string {
  return lettersOnly(foldText(name));
}

/** Every artist key in a credit that may list several ("周杰伦/温岚", "A & B") or an alias ("BTS (防弹少年团)"). */
export function artistKeys(names: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const name of names) {
    const whole = artistKey(name);
    if (whole) keys.add(whole);
    for (const part of foldText(name).split(ARTIST_SEPARATORS)) {
      const key = lettersOnly(part);
      if ([...key].length >= MIN_ARTIST_PART) keys.add(key);
    }
  }
  return [...keys];
}

export function titleKey(title: string): TitleKey {
  let rest = foldText(title);
  const versions = new Set<string>();
  const featured: string[] = [];
  const takeSuffix = (suffix: string) => {
    const text = suffix.trim();
    if (!text) return;
    const credit = FEATURING.exec(text);
    if (credit?.[1]) featured.push(...artistKeys([credit[1]]));
    else for (const tag of versionTagsOf(text)) versions.add(tag);
  };

  for (let peeled = 0; peeled < MAX_SUFFIXES; peeled += 1) {
    const bracketed = trailingBracket(rest);
    if (bracketed) {
      takeSuffix(bracketed.inside);
      rest = bracketed.before;
      continue;
    }
    const dashed = DASH_SUFFIX.exec(rest);
    if (dashed?.[1] && dashed.index > 0) {
      takeSuffix(dashed[1]);
      rest = rest.slice(0, dashed.index).trim();
      continue;
    }
    const trailingCredit = TRAILING_FEATURING.exec(rest);
    if (trailingCredit?.[1] && trailingCredit.index > 0) {
      featured.push(...artistKeys([trailingCredit[1]]));
      rest = rest.slice(0, trailingCredit.index).trim();
      continue;
    }
    break;
  }
  // A title that is nothing but punctuation ("?") keeps its folded text rather than becoming empty.
  return { base: lettersOnly(rest) || rest, versions: [...versions].sort(), featured };
}

/** The last bracketed group of `text` (nesting-aware), if `text` ends with one and has a title before it. */
function trailingBracket(text: string): { before: string; inside: string } | undefined {
  const close = text.at(-1);
  const open = Object.keys(BRACKETS).find((key) => BRACKETS[key] === close);
  if (!close || !open) return undefined;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i -= 1) {
    if (text[i] === close) depth += 1;
    else if (text[i] === open) depth -= 1;
    if (depth === 0) {
      const before = text.slice(0, i).trim();
      return before ? { before, inside: text.slice(i + 1, -1) } : undefined;
    }
  }
  return undefined;
}
