import type { Logger } from '../log/index.js';
import type { Clock, Timer } from '../time/index.js';
import type { SourceTiming } from './defaults.js';
import { IcecastMetadataError } from './errors.js';

type Timing = Pick<SourceTiming, 'metadataNotReadyRetries' | 'metadataNotReadyDelayMs'>;

/**
 * Keeps Icecast's title equal to the latest one set. Metadata belongs to a source connection, so
 * the title is sent again after every reconnect; /admin/metadata answers 400 for a mount without a
 * source, so it is sent only while a connection is usable (`activate()` .. `deactivate()`).
 * At most one update is in flight; titles set meanwhile collapse into the latest.
 */
export class TitleUpdater {
  readonly #send: (title: string) => Promise<void>;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timing: Timing;
  #wanted: string | undefined;
  /** The title dealt with on this connection: confirmed, or given up on after a logged warning. */
  #done: string | undefined;
  #active = false;
  #inFlight = false;
  /** Bumped on every activate/deactivate, so answers for an earlier connection are ignored. */
  #generation = 0;
  #notReadyRetries = 0;
  #retryTimer: Timer | undefined;

  constructor(send: (title: string) => Promise<void>, logger: Logger, clock: Clock, timing: Timing) {
    this.#send = send;
    this.#logger = logger;
    this.#clock = clock;
    this.#timing = timing;
  }

  get title(): string | undefined {
    return this.#wanted;
  }

  set(title: string): void {
    this.#wanted = title;
    this.#notReadyRetries = 0;
    this.#pump();
  }

  /** A new connection is usable: send the current title on it. */
  activate(): void {
    this.#reset();
    this.#active = true;
    this.#pump();
  }

  deactivate(): void {
    this.#reset();
  }

  #reset(): void {
    this.#generation += 1;
    this.#active = false;
    this.#inFlight = false;
    this.#done = undefined;
    this.#notReadyRetries = 0;
    this.#retryTimer?.clear();
    this.#retryTimer = undefined;
  }

  #pump(): void {
    const title = this.#wanted;
    if (!this.#active || this.#inFlight || this.#retryTimer !== undefined || title === undefined || title === this.#done) return;
    const generation = this.#generation;
    this.#inFlight = true;
    // Wrapped so nothing the send does (e.g. URIError on a lone surrogate) throws into setTitle()'s caller.
    Promise.resolve()
      .then(() => this.#send(title))
      .then(
        () => generation === this.#generation && this.#onSent(title),
        (error: unknown) => generation === this.#generation && this.#onFailed(title, error),
      );
  }

  #onSent(title: string): void {
    this.#logger.info({ title }, 'title updated');
    this.#settle(title);
  }

  #onFailed(title: string, error: unknown): void {
    if (!this.#mayRetry(error)) {
      this.#logger.warn({ err: error, title }, 'title update failed');
      this.#settle(title);
      return;
    }
    this.#inFlight = false;
    this.#notReadyRetries += 1;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, this.#timing.metadataNotReadyDelayMs);
  }

  /** 400 right after connecting: Icecast has not listed the new source yet. */
  #mayRetry(error: unknown): boolean {
    return (
      error instanceof IcecastMetadataError &&
      error.status === 400 &&
      this.#notReadyRetries < this.#timing.metadataNotReadyRetries
    );
  }

  #settle(title: string): void {
    this.#inFlight = false;
    this.#done = title;
    this.#notReadyRetries = 0;
    this.#pump();
  }
}
