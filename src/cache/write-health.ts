import type { Logger } from '../log/index.js';
import { describeCondition, diskCondition } from '../disk-condition.js';
import { CacheUnavailableError } from './errors.js';
import type { WallClock } from '../time/index.js';

/**
 * `usable`: songs are cached as they play. `unavailable`: the folder refused a write (full, read-only, no
 * permission); songs play uncached, and once `retryAtMs` has passed one writer tries again. Each condition
 * is warned about once per outage, and the end of the outage is told once.
 */
type WriteState = { status: 'usable' } | { status: 'unavailable'; warned: Set<string>; retryAtMs: number };

export interface WriteHealthOptions {
  dir: string;
  logger: Logger;
  now: WallClock;
  /** How long after a refused write the next writer tries again. */
  retryAfterMs: number;
}

/** Whether the audio cache's folder takes writes right now, and the log lines an operator sees about it. */
export class WriteHealth {
  private state: WriteState = { status: 'usable' };

  constructor(private readonly options: WriteHealthOptions) {}

  /** The conditions of the current outage (empty while usable). */
  get conditions(): string[] {
    return this.state.status === 'usable' ? [] : [...this.state.warned];
  }

  /**
   * Whether a new writer may touch the disk. While unavailable, one writer per retry period is let
   * through as the probe; the others are refused without any file-system call.
   */
  mayWrite(): boolean {
    if (this.state.status === 'usable') return true;
    const now = this.options.now();
    if (now < this.state.retryAtMs) return false;
    this.state.retryAtMs = now + this.options.retryAfterMs;
    return true;
  }

  /**
   * Records a failed file-system call. Returns false when the error says nothing about the folder (a song
   * too long, a bad frame): the caller reports that one itself.
   */
  failed(error: unknown): boolean {
    const condition = diskCondition(error);
    if (!condition) return false;
    if (this.state.status === 'usable') this.state = { status: 'unavailable', warned: new Set(), retryAtMs: 0 };
    this.state.retryAtMs = this.options.now() + this.options.retryAfterMs;
    if (!this.state.warned.has(condition)) {
      this.state.warned.add(condition);
      const unavailable = new CacheUnavailableError(this.options.dir, condition, describeCondition(condition), this.options.retryAfterMs, error);
      this.options.logger.warn({ dir: this.options.dir, condition, err: unavailable.message }, 'audio cache unavailable: songs play without being cached');
    }
    return true;
  }

  /** A write went through: an outage, if any, is over. */
  succeeded(): void {
    if (this.state.status === 'usable') return;
    this.options.logger.info({ dir: this.options.dir, after: [...this.state.warned] }, 'audio cache usable again: songs are cached as they play');
    this.state = { status: 'usable' };
  }
}
