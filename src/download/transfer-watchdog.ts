import { LazyDeadline, type Due } from '../time/index.js';
import type { DownloadLimits } from './defaults.js';
import { DownloadDeadlineError, type DownloadDeadline } from './errors.js';

/** Which deadline, and its bound in ms. */
interface Bound {
  readonly deadline: DownloadDeadline;
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
 * Bytes arriving only move deadlines later, so the timer is not touched per chunk (see LazyDeadline).
 */
export class TransferWatchdog {
  private readonly startedAt = performance.now();
  private firstByteAt: number | undefined;
  private lastByteAt = 0;
  private bytes = 0;
  private size: number | undefined;
  private readonly deadline: LazyDeadline<Bound>;

  constructor(private readonly options: TransferWatchdogOptions) {
    this.deadline = new LazyDeadline(
      () => this.earliest(),
      (bound, now) => options.onTrip(this.errorFor(bound, now)),
    );
    this.deadline.check();
  }

  /** The Content-Length, once the response headers are in. */
  announce(size: number | undefined): void {
    this.size = size;
  }

  /** Body bytes received so far in this attempt (a running total). */
  received(total: number): void {
    if (total <= this.bytes) return;
    const now = performance.now();
    this.bytes = total;
    this.lastByteAt = now;
    if (this.firstByteAt === undefined) {
      this.firstByteAt = now;
      // The first-byte deadline gives way to the body's, which may fall earlier (a short grace).
      this.deadline.check();
    }
  }

  stop(): void {
    this.deadline.stop();
  }

  private earliest(): Due<Bound> {
    const { limits } = this.options;
    const due = (deadline: DownloadDeadline, at: number, limitMs: number): Due<Bound> => ({ at, what: { deadline, limitMs: Math.round(limitMs) } });
    const dues = [due('all-attempts', this.options.allAttemptsEndAt, limits.allAttemptsTimeoutMs)];
    if (this.firstByteAt === undefined) {
      dues.push(due('first-byte', this.startedAt + limits.firstByteTimeoutMs, limits.firstByteTimeoutMs));
    } else {
      const msAtMinRate = (bytes: number) => (bytes * 1000) / limits.minBytesPerSecond;
      dues.push(due('idle', this.lastByteAt + limits.idleTimeoutMs, limits.idleTimeoutMs));
      const rateMs = limits.minRateGraceMs + msAtMinRate(this.bytes);
      dues.push(due('min-rate', this.firstByteAt + rateMs, rateMs));
      if (this.size !== undefined) {
        const sizeMs = Math.max(limits.sizeDeadlineFloorMs, msAtMinRate(this.size));
        dues.push(due('size-at-min-rate', this.firstByteAt + sizeMs, sizeMs));
      }
    }
    return dues.reduce((earliest, next) => (next.at < earliest.at ? next : earliest));
  }

  private errorFor(due: Bound, now: number): DownloadDeadlineError {
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
