import { info, within, type Figure } from './figure.js';
import type { BenchContext } from './harness.js';
import { loadMatchSet, scoreMatchSet } from '../test/support/match-set.js';

const NAME = 'match';

/** Cross-provider match over the labelled set (test/fixtures/match-set): wrong matches must be none. */
export async function measureMatch(context: BenchContext): Promise<Figure[]> {
  const cases = await loadMatchSet();
  const started = performance.now();
  const score = scoreMatchSet(cases);
  const ms = performance.now() - started;
  context.say(`${NAME}: ${score.correct}/${score.labelled} found, ${score.wrong.length} wrong, missed ${score.missed.join(', ') || 'none'}`);
  const wrong = score.wrong.map((entry) => `${entry.id} → ${entry.chose}`).join(', ');
  return [
    within(NAME, { name: `match precision (${score.cases} asked songs, no wrong song)`, value: score.precision * 100, unit: '%', digits: 1, ...(wrong ? { note: `wrong: ${wrong}` } : {}) }, 100, 0, '= 100 %'),
    {
      ...info(NAME, { name: `match recall (${score.labelled} with the recording among the candidates)`, value: score.recall * 100, unit: '%', digits: 1, note: `missed: ${score.missed.join(', ') || 'none'}` }),
      target: '≥ 90 %',
      verdict: score.recall >= 0.9 ? 'pass' : 'fail',
    },
    info(NAME, { name: 'matcher time per asked song', value: (ms / score.cases) * 1000, unit: 'µs', digits: 0 }),
  ];
}
