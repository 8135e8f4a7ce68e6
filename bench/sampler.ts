import { cpuBetween, peakRssMb, rssMb, snapshot, type CpuUsage } from './proc-stats.js';
import { sleep } from './scope.js';

export interface WindowSample {
  /** Seconds since the window started. */
  readonly t: number;
  readonly rssMb: number;
}

export interface WindowResult {
  readonly cpu: CpuUsage;
  readonly rss: readonly WindowSample[];
  /** VmHWM at the end: the highest RSS the process ever had, start-up included. */
  readonly peakRssMb: number | undefined;
}

/**
 * Watches one process for `seconds`: its CPU between the first and last moment (own, and its children's
 * apart), and its RSS every `everySeconds`. Samples are taken against the window's start, so the loop
 * does not drift; it runs exactly seconds / everySeconds steps.
 */
export async function watchProcess(pid: number, seconds: number, everySeconds: number, signal: AbortSignal, onSample?: (sample: WindowSample) => void): Promise<WindowResult> {
  const start = snapshot(pid);
  if (!start) throw new Error(`process ${pid} is gone before the measurement window`);
  const rss: WindowSample[] = [];
  const record = (t: number): void => {
    const value = rssMb(pid);
    if (value === undefined) throw new Error(`process ${pid} exited during the measurement window`);
    const sample = { t, rssMb: value };
    rss.push(sample);
    onSample?.(sample);
  };
  record(0);
  const steps = Math.round(seconds / everySeconds);
  for (let step = 1; step <= steps; step += 1) {
    await sleep(Math.max(0, start.at + step * everySeconds * 1000 - performance.now()), signal);
    record((performance.now() - start.at) / 1000);
  }
  const end = snapshot(pid);
  if (!end) throw new Error(`process ${pid} exited during the measurement window`);
  return { cpu: cpuBetween(start, end), rss, peakRssMb: peakRssMb(pid) };
}
