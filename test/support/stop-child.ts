import type { ChildProcess } from 'node:child_process';

/** A server child (redis-server, prometheus) gets this long after SIGTERM to flush and exit, then SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/** SIGTERM, SIGKILL after `graceMs`; resolves once the child has exited (at once if it already has). */
export async function stopChild(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}
