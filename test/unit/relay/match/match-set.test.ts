import { beforeAll, describe, expect, it } from 'vitest';
import { loadMatchSet, scoreMatchSet, type MatchCase } from '../../../support/match-set.js';

describe('the labelled match set (test/fixtures/match-set)', () => {
  let cases: MatchCase[];
  beforeAll(async () => {
    cases = await loadMatchSet();
  });

  it('has at least 60 asked songs, each with candidates, and labels that name one of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const entry of cases) {
      expect(entry.candidates.length, entry.id).toBeGreaterThan(0);
      const refs = entry.candidates.map((candidate) => candidate.ref);
      for (const accepted of entry.accept) expect(refs, entry.id).toContain(accepted);
      // Candidates come from the other service.
      const other = entry.asked.ref.startsWith('qq:') ? 'netease:' : 'qq:';
      for (const ref of refs) expect(ref.startsWith(other), `${entry.id}: ${ref}`).toBe(true);
    }
    expect(new Set(cases.map((entry) => entry.id)).size).toBe(cases.length);
  });

  it('never matches the wrong song (precision 100 %) and finds at least 90 % of the labelled ones', () => {
    const score = scoreMatchSet(cases);
    expect(score.wrong).toEqual([]);
    expect(score.precision).toBe(1);
    expect(score.recall, `missed: ${score.missed.join(', ')}`).toBeGreaterThanOrEqual(0.9);
  });
});
