import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeOutcome, FAULT_SCENARIOS, prepareFaultMusic, scenarioSlots, SILENCE_BUDGET_SEC, withCleanups, type FaultKit, type FaultScenario } from '../test/support/faults.js';
import { atMost, failedMeasurement, type Figure } from './figure.js';
import { benchIcecast, type BenchContext } from './harness.js';

const NAME = 'faults';

/**
 * Issue 12's fault matrix, one row per fault: the longest continuous silence a listener decoding the mount
 * heard, against the station's silence budget. The scenarios are the test file's (test/support/faults.ts).
 */
export async function measureFaults(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const dir = join(context.dir, NAME);
  await mkdir(dir, { recursive: true });
  const [icecast, music] = await Promise.all([benchIcecast(scope), prepareFaultMusic(dir)]);
  const kit: FaultKit = { icecast, music, dir };
  const slot = scenarioSlots();
  return Promise.all(
    FAULT_SCENARIOS.map((scenario) =>
      slot(() => {
        context.say(`${NAME}: ${scenario.name}`);
        return measureOne(scenario, kit, context);
      }),
    ),
  );
}

async function measureOne(scenario: FaultScenario, kit: FaultKit, context: BenchContext): Promise<Figure> {
  try {
    const outcome = await withCleanups((defer) =>
      scenario.run(kit, (what, stop) => {
        defer(what, stop);
        // Also with the scope, so an interrupted bench stops them at once (stopping twice is harmless).
        context.scope.add(what, stop);
      }),
    );
    const row = atMost(NAME, { name: `${scenario.title}: longest silence`, value: outcome.longestSilenceSec, unit: 's', digits: 1, note: describeOutcome(outcome) }, SILENCE_BUDGET_SEC);
    // A dropped listener misses the promise whatever the silence says; a fault that never happened proves nothing.
    return outcome.dropped === undefined && outcome.unexercised === undefined ? row : { ...row, verdict: 'fail' };
  } catch (error) {
    return failedMeasurement(`${NAME} ${scenario.name}`, error);
  }
}
