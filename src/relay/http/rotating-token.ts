import type { Secret } from '../../secret-file.js';
import type { Logger } from '../../log/index.js';
import type { WallClock } from '../../time/index.js';

export interface RotatingTokenOptions {
  /** The relay token: fixed, or read again from RELAY_TOKEN_FILE when that changes. */
  readonly secret: Secret;
  /** How long the previous token is still accepted after the file changed. */
  readonly graceMs: number;
  readonly now: WallClock;
  readonly logger: Logger;
}

/**
 * The bearer tokens the relay accepts now. When `relaycast setup` rewrites the token file, the relay and every
 * worker read it at different moments (each when it next looks, at most a second apart here, and a worker also
 * when refused). So for `graceMs` after the relay sees the change it accepts the previous token too: a worker
 * that has not read the file yet is not refused mid-rotation. After that only the new token is accepted.
 */
export class RotatingToken {
  readonly #secret: Secret;
  readonly #graceMs: number;
  readonly #now: WallClock;
  readonly #logger: Logger;
  #current: string;
  #previous: { token: string; until: number } | undefined;

  constructor(options: RotatingTokenOptions) {
    this.#secret = options.secret;
    this.#graceMs = options.graceMs;
    this.#now = options.now;
    this.#logger = options.logger;
    this.#current = options.secret.current();
  }

  /** The tokens to accept for a request arriving now; reads the token file when it is due for a look. */
  async accepted(): Promise<readonly string[]> {
    const value = await this.#secret.refresh();
    if (value !== this.#current) {
      this.#previous = { token: this.#current, until: this.#now() + this.#graceMs };
      this.#current = value;
      this.#logger.info({ event: 'relay.token-rotated', graceMs: this.#graceMs }, 'the relay token changed: the previous one is accepted for the grace period only');
    }
    if (this.#previous && this.#now() >= this.#previous.until) this.#previous = undefined;
    return this.#previous ? [this.#current, this.#previous.token] : [this.#current];
  }
}
