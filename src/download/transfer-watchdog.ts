import type { DownloadLimits } from './defaults.js';
import { DownloadDeadlineError, type DownloadDeadline } from './errors.js';

interface Due {
  readonly deadline: DownloadDeadline;
  /** performance.now() time at which it trips. */
  readonly at: number;
  readonly limitMs: number;
}

export interface TransferWatchdogOptions {
  /** Redacted: it goes into the error message. */
  readonly url: string;
  readonly limits: DownloadLimits;
  /** performance.now() time at which the all-attempts limit runs out. */
  readonly allAttemptsEndAt: number;
  /** Called once, with the deadline that tripped; the caller stops the transfer. */
  readonly onTrip: (error: DownloadDeadlineError) => void;
}

/**
 * The deadlines of one download attempt on a single timer: the first byte; then no gap over the idle
 * limit, bytes that keep up with the minimum rate after a grace, and with a Content-Length the whole body
 * within its size at the minimum rate; all capped by what is left of the all-attempts limit.
 *
 * Bytes arriving only move deadlines later, so the timer is not touched per chunk: it fires at the earliest
 * deadline known when it was set, and re-arms for the next one if that has moved on meanwhile.
 */
export class TransferWatchdog {
  private readonly startedAt = performance.now();
  private firstByteAt: number | undefined;
  private lastByteAt = 0;
  private bytes = 0;
  private size: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(private readonly options: TransferWatchdogOptions) {
    this.check();
  }

  /** The Content-Length, once the response headers are in. */
  announce(size: number | undefined): void {
    this.size = size;
  }

  /** Body bytes received so far in this attempt (a running total). */
  received(total: number): void {
    if (this.done || total <= this.bytes) return;
    const now = performance.now();
    this.bytes = total;
    this.lastByteAt = now;
    if (this.firstByteAt === undefined) {
      this.firstByteAt = now;
      // The first-byte deadline gives way to the body's, which may fall earlier (a short grace).
      this.check();
    }
  }

  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private check(): void {
    clearTimeout(this.timer);
    if (this.done) return;
    const due = this.earliest();
    const now = performance.now();
    if (due.at > now) {
      this.timer = setTimeout(() => this.check(), Math.ceil(due.at - now));
      return;
    }
    this.done = true;
    this.options.onTrip(this.errorFor(due, now));
  }

  private earliest(): Due {
    const { limits } = this.options;
    const dues: Due[] = [{ deadline: 'all-attempts', at: this.options.allAttemptsEndAt, limitMs: limits.allAttemptsTimeoutMs }];
    if (this.firstByteAt === undefined) {
      dues.push({ deadline: 'first-byte', at: this.startedAt + limits.firstByteTimeoutMs, limitMs: limits.firstByteTimeoutMs });
    } else {
      const msAtMinRate = (bytes: number) => (bytes * 1000) / limits.minBytesPerSecond;
      dues.push({ deadline: 'idle', at: this.lastByteAt + limits.idleTimeoutMs, limitMs: limits.idleTimeoutMs });
      const rateMs = limits.minRateGraceMs + msAtMinRate(this.bytes);
      dues.push({ deadline: 'min-rate', at: this.firstByteAt + rateMs, limitMs: Math.round(rateMs) });
      if (this.size !== undefined) {
        const sizeMs = Math.max(limits.sizeDeadlineFloorMs, msAtMinRate(this.size));
        dues.push({ deadline: 'size-at-min-rate', at: this.firstByteAt + sizeMs, limitMs: Math.round(sizeMs) });
      }
    }
    return dues.reduce((earliest, due) => (due.at < earliest.at ? due : earliest));
  }

  private errorFor(due: Due, now: number): DownloadDeadlineError {
    const bodyMs = this.firstByteAt === undefined ? 0 : now - this.firstByteAt;
    return new DownloadDeadlineError(this.options.url, {
      deadline: due.deadline,
      limitMs: due.limitMs,
      bytes: this.bytes,
      elapsedMs: Math.round(now - this.startedAt),
      bytesPerSecond: bodyMs > 0 ? Math.round((this.bytes * 1000) / bodyMs) : 0,
      minBytesPerSecond: this.options.limits.minBytesPerSecond,
      size: this.size,
    });
  }
}
