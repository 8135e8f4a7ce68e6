import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process from Linux's /proc, read from outside the process.
 *
 * /proc/<pid>/stat fields 14-17 (proc(5)): utime and stime are the process's own CPU time (all its
 * threads, so V8's GC and libuv's pool count); cutime and cstime add the children it has waited for, so
 * an ffmpeg that exited shows up there and nowhere else. Units are clock ticks (`getconf CLK_TCK`, 100
 * on Linux): 10 ms resolution, 0.017 % of a core over 60 s.
 */
export const CLOCK_TICKS_PER_SECOND = readClockTicks();

export interface CpuTimes {
  /** Own user + system CPU seconds. */
  readonly self: number;
  /** User + system CPU seconds of children that exited and were reaped. */
  readonly reapedChildren: number;
}

/** undefined when the process is gone. */
export function cpuTimes(pid: number): CpuTimes | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces or ')': split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const tick = (n: number): number => Number(fields[n - 3] ?? 0) / CLOCK_TICKS_PER_SECOND;
  return { self: tick(14) + tick(15), reapedChildren: tick(16) + tick(17) };
}

/** Resident set size in MB (VmRSS of /proc/<pid>/status); undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size in MB (VmHWM). */
export function peakRssMb(pid: number): number | undefined {
  return statusField(pid, 'VmHWM');
}

/** Direct children of `pid` (ffmpeg and ffprobe of a worker). */
export function childPids(pid: number): number[] {
  try {
    // Needs CONFIG_PROC_CHILDREN, which Debian and Ubuntu kernels have; ps is the fallback.
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    const result = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    return result.stdout.split('\n').map((line) => Number(line.trim())).filter((value) => value > 0);
  }
}

/** The worker's CPU at one moment: its own, and that of each child alive now. */
export interface CpuSnapshot {
  /** performance.now() */
  readonly at: number;
  readonly times: CpuTimes;
  readonly children: ReadonlyMap<number, number>;
}

export function snapshot(pid: number): CpuSnapshot | undefined {
  const times = cpuTimes(pid);
  if (!times) return undefined;
  const children = new Map<number, number>();
  for (const child of childPids(pid)) {
    const childTimes = cpuTimes(child);
    if (childTimes) children.set(child, childTimes.self + childTimes.reapedChildren);
  }
  return { at: performance.now(), times, children };
}

export interface CpuUsage {
  readonly seconds: number;
  /** Own CPU as a percentage of one core. */
  readonly selfPercent: number;
  /** ffmpeg/ffprobe children's CPU over the same window, percentage of one core. */
  readonly childrenPercent: number;
}

/**
 * CPU between two snapshots. Children: what each child still alive at the end used since the start (all
 * of it if it started later), plus what reaped children added, minus what those had used before the
 * start (they were counted in the first snapshot while alive).
 */
export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUsage {
  const seconds = (end.at - start.at) / 1000;
  const self = end.times.self - start.times.self;
  let children = end.times.reapedChildren - start.times.reapedChildren;
  for (const [pid, used] of end.children) children += used - (start.children.get(pid) ?? 0);
  for (const [pid, used] of start.children) if (!end.children.has(pid)) children -= used;
  return { seconds, selfPercent: (100 * self) / seconds, childrenPercent: (100 * Math.max(0, children)) / seconds };
}

/** CPU of `pid` (and its reaped children) from `start` to now; undefined when either reading failed. */
export function cpuSince(start: CpuSnapshot | undefined, pid: number): CpuUsage | undefined {
  const end = snapshot(pid);
  return start && end ? cpuBetween(start, end) : undefined;
}

/**
 * Proportional set size in MB (/proc/<pid>/smaps_rollup): shared pages (libraries, Node's own code) count
 * once across the processes sharing them, split between them, so PSS sums across a tree where RSS does not.
 */
export function pssMb(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The program name of a process (/proc/<pid>/comm), or undefined when it is gone. */
export function programOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function statusField(pid: number, name: string): number | undefined {
  try {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function readClockTicks(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}
