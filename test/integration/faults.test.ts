import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../support/decode.js';
import { describeOutcome, FAULT_SCENARIOS, prepareFaultMusic, scenarioSlots, SILENCE_BUDGET_SEC, withCleanups, type FaultKit } from '../support/faults.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { requirePrograms } from '../support/prereq.js';
import { longestSilentRun } from '../support/silent-runs.js';
import { makeTempDir } from '../support/tmp.js';

/**
 * The longest scenario (Redis down 20 s, then 12 s of listening, ~60 s under load) after waiting for a
 * slot behind another as long.
 */
const SCENARIO_TIMEOUT_MS = 150_000;

describe('a station under faults: the listener stays connected and silence never exceeds the budget', () => {
  let icecast: IcecastServer | undefined;
  let temp: { dir: string; remove: () => Promise<void> } | undefined;
  let kit: FaultKit;

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server', 'mount', 'umount');
    temp = await makeTempDir('faults');
    const [server, music] = await Promise.all([startIcecast(), prepareFaultMusic(temp.dir)]);
    icecast = server;
    kit = { icecast: server, music, dir: temp.dir };
  });

  afterAll(async () => {
    await icecast?.stop();
    await temp?.remove();
  });

  it('measures a 12 s gap between two tones as 12 s of silence, and a steady tone as none', async () => {
    const gap = await decodePcm(tone(join(temp!.dir, 'gap.mp3'), "if(between(t,2,14),0,0.5*sin(2*PI*440*t))", 16));
    const steady = await decodePcm(tone(join(temp!.dir, 'steady.mp3'), '0.5*sin(2*PI*440*t)', 16));
    const measured = longestSilentRun(gap, 44_100);
    expect(measured.durationSec).toBeGreaterThan(11.9);
    expect(measured.durationSec).toBeLessThan(12.1);
    expect(measured.startSec).toBeGreaterThan(1.9);
    expect(longestSilentRun(steady, 44_100).durationSec).toBeLessThan(0.1);
  });

  describe.concurrent('scenarios', () => {
    const slot = scenarioSlots();
    for (const scenario of FAULT_SCENARIOS) {
      it(
        `${scenario.name}: ${scenario.title}`,
        async ({ expect }) => {
          const outcome = await slot(() => withCleanups((defer) => scenario.run(kit, defer)));
          const summary = describeOutcome(outcome);
          console.info(summary);
          expect(outcome.unexercised, summary).toBeUndefined();
          expect(outcome.dropped, summary).toBeUndefined();
          expect(outcome.longestSilenceSec, summary).toBeLessThanOrEqual(SILENCE_BUDGET_SEC);
        },
        SCENARIO_TIMEOUT_MS,
      );
    }
  });
});

/** An MP3 of the expression `expr` (of t, in seconds) for `seconds`, made with ffmpeg's aevalsrc (quoted: it holds commas). */
function tone(path: string, expr: string, seconds: number): string {
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expr}':d=${seconds}:s=44100`, '-c:a', 'libmp3lame', '-b:a', '128k', path];
  const result = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`ffmpeg failed making ${path}: ${result.stderr}`);
  return path;
}
