import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { terminate } from '../../../src/audio/ffmpeg.js';

/** A child that has set up its signal handling (it prints "ready" once the trap is in place). */
async function startShell(script: string): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', `${script}; echo ready; while :; do sleep 0.05; done`], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout!, 'data');
  return child;
}

describe('terminate', () => {
  it('ends a child with SIGTERM', async () => {
    const child = await startShell('true');
    const exited = once(child, 'exit');
    terminate(child, 5000);
    expect((await exited)[1]).toBe('SIGTERM');
  });

  it('falls back to SIGKILL when the child ignores SIGTERM', async () => {
    const child = await startShell("trap '' TERM");
    const started = Date.now();
    const exited = once(child, 'exit');
    terminate(child, 300);
    expect((await exited)[1]).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
