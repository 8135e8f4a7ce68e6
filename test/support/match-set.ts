import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { findMatch } from '../../src/relay/match/index.js';
import type { SongInfo } from '../../src/relay/providers/provider.js';

/**
 * The labelled match set (test/fixtures/match-set/, sources in its SOURCES.md), shared by the test and the
 * bench: every `cases*.json` there, so each contributor adds a file of their own.
 */
export const MATCH_SET_DIR = join(REPO_ROOT, 'test', 'fixtures', 'match-set') + sep;

export interface MatchCase {
  id: string;
  /** `real-candidates`, `mixed` or `constructed`: how much of the case was recorded from public answers. */
  source: string;
  asked: SongInfo;
  /** The other service's search answer, in its order. */
  candidates: SongInfo[];
  /** The candidates that are the asked recording; empty when none is. */
  accept: string[];
  note?: string;
}

export interface MatchSetScore {
  cases: number;
  /** Cases whose label names a candidate. */
  labelled: number;
  correct: number;
  /** A match made to a candidate the label does not accept: the one thing that must never happen. */
  wrong: { id: string; chose: string }[];
  /** Labelled cases left without a match. */
  missed: string[];
  /** correct / matches made (1 when none were made). */
  precision: number;
  /** correct / labelled. */
  recall: number;
}

export async function loadMatchSet(): Promise<MatchCase[]> {
  const files = (await readdir(MATCH_SET_DIR)).filter((name) => /^cases.*\.json$/.test(name)).sort();
  const cases = (await Promise.all(files.map(async (file) => (JSON.parse(await readFile(`${MATCH_SET_DIR}${file}`, 'utf8')) as { cases: MatchCase[] }).cases))).flat();
  const ids = new Set<string>();
  for (const entry of cases) {
    if (ids.has(entry.id)) throw new Error(`match set: case ${entry.id} appears twice`);
    ids.add(entry.id);
  }
  return cases;
}

export function scoreMatchSet(cases: readonly MatchCase[]): MatchSetScore {
  let correct = 0;
  const wrong: MatchSetScore['wrong'] = [];
  const missed: string[] = [];
  for (const entry of cases) {
    const chose = findMatch(entry.asked, entry.candidates)?.song.ref;
    if (chose === undefined) {
      if (entry.accept.length > 0) missed.push(entry.id);
    } else if (entry.accept.includes(chose)) {
      correct += 1;
    } else {
      wrong.push({ id: entry.id, chose });
    }
  }
  const labelled = cases.filter((entry) => entry.accept.length > 0).length;
  const made = correct + wrong.length;
  return { cases: cases.length, labelled, correct, wrong, missed, precision: made === 0 ? 1 : correct / made, recall: labelled === 0 ? 1 : correct / labelled };
}
