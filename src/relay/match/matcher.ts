import type { SongInfo } from '../providers/provider.js';
import { artistKeys, titleKey } from './normalise.js';

/** Durations further apart than this are different recordings (or edits) of a song. */
export const MATCH_DURATION_TOLERANCE_MS = 3000;

/** Why a candidate is not the asked recording; operators see it in the relay log. */
export type Mismatch = 'title' | 'version' | 'artists' | 'duration' | 'no-duration';

export type Verdict = { same: true; score: number } | { same: false; why: Mismatch };

/** A song found on the other service that is, confidently, the recording asked for. */
export interface Match {
  song: SongInfo;
  /** 0..1: how close artists and duration are, among candidates that passed every rule. */
  score: number;
}

/**
 * Whether `candidate` is the same recording as `asked`. All of these must hold: equal normalised titles,
 * the same version tags (live, remix, instrumental…: none unless both have them), overlapping artist sets
 * (title credits such as "feat. X" count as artists), and durations within ±3 s. Anything less is "no":
 * a missed match costs one song, a wrong one plays the wrong song on air.
 */
export function judge(asked: SongInfo, candidate: SongInfo): Verdict {
  const a = titleKey(asked.title);
  const c = titleKey(candidate.title);
  if (a.base !== c.base) return { same: false, why: 'title' };
  if (a.versions.join('|') !== c.versions.join('|')) return { same: false, why: 'version' };

  const askedArtists = new Set([...artistKeys(asked.artists), ...a.featured]);
  const candidateArtists = new Set([...artistKeys(candidate.artists), ...c.featured]);
  const shared = [...askedArtists].filter((key) => candidateArtists.has(key)).length;
  if (shared === 0) return { same: false, why: 'artists' };

  if (asked.durationMs === undefined || candidate.durationMs === undefined) return { same: false, why: 'no-duration' };
  const apart = Math.abs(asked.durationMs - candidate.durationMs);
  if (apart > MATCH_DURATION_TOLERANCE_MS) return { same: false, why: 'duration' };

  const artistOverlap = shared / new Set([...askedArtists, ...candidateArtists]).size;
  const closeness = 1 - apart / MATCH_DURATION_TOLERANCE_MS;
  return { same: true, score: Math.round(((artistOverlap + closeness) / 2) * 1000) / 1000 };
}

/** The best confident candidate, or undefined; on equal scores the search's own order decides. */
export function findMatch(asked: SongInfo, candidates: readonly SongInfo[]): Match | undefined {
  let best: Match | undefined;
  for (const candidate of candidates) {
    const verdict = judge(asked, candidate);
    if (verdict.same && (!best || verdict.score > best.score)) best = { song: candidate, score: verdict.score };
  }
  return best;
}

/** What the other service is searched with: the title as listed (suffixes keep decoys out of the top results) and the first artist. */
export function searchQuery(asked: SongInfo): string {
  return [asked.title, asked.artists[0]].filter(Boolean).join(' ').slice(0, 200);
}
