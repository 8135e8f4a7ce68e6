import { EventEmitter } from 'node:events';
import { ConfigError } from '../errors.js';
import { rejectUnknownConfigKeys } from '../unknown-options.js';
import type { Logger } from '../log/index.js';
import { systemClock, type Clock, type Timer } from '../time/index.js';
import { IcecastCredentials, type IcecastSecrets } from './credentials.js';
import { ICECAST_SOURCE_DEFAULTS, type ReconnectPolicy, type SourceTiming } from './defaults.js';
import type { FailureKind, IcecastError } from './errors.js';
import { sendTitle } from './metadata.js';
import { killSource } from './kill-source.js';
import { retryDelayMs } from './retry-delay.js';
import { SourceConnection } from './source-connection.js';
import { resolveTarget, type IcecastTarget } from './target.js';
import { TitleUpdater } from './title-updater.js';

export interface IcecastSourceOptions {
  target: IcecastTarget;
  logger: Logger;
  /** `since` of every state is on its monotonic now(); its timers drive reconnects and timeouts. */
  clock?: Clock;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** Overrides of ICECAST_SOURCE_DEFAULTS.retry (tests shorten the slow path). */
  retry?: Partial<ReconnectPolicy>;
  /** Overrides of ICECAST_SOURCE_DEFAULTS.timing. */
  timing?: Partial<SourceTiming>;
  /**
   * Asked when another source holds the mount: true when this source is the mount's rightful one (its worker
   * holds the station's lease, confirmed just now), so the other is stale and is removed with `killsource`.
   * Without it a source waits for the mount like any other streamer.
   */
  mayTakeMount?: () => Promise<boolean>;
  /**
   * Passwords read from files that may be rewritten while the source runs (ICECAST_*_PASSWORD_FILE): read
   * again before every connect and admin request, so a password changed on Icecast and in its file is used
   * from the next reconnect on. Without them the target's passwords are used throughout.
   */
  secrets?: IcecastSecrets;
}

/**
 * - idle: made, not started;
 * - connecting: a connection attempt is under way (`attempt` failures precede it);
 * - streaming: Icecast took the source; write() reaches listeners;
 * - waiting: the last attempt failed or the connection was lost; the next attempt is scheduled;
 * - stopped: stop() was called.
 */
export type IcecastSourceState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting'; readonly since: number; readonly attempt: number }
  | { readonly status: 'streaming'; readonly since: number }
  | {
      readonly status: 'waiting';
      readonly since: number;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: IcecastError;
    }
  | { readonly status: 'stopped'; readonly since: number };

export type IcecastSourceStatus = IcecastSourceState['status'];

export interface IcecastSourceEvents {
  state: [state: IcecastSourceState, previous: IcecastSourceState];
  /** A connection became usable (after every reconnect too): a pacer re-anchors its clock here. */
  streaming: [];
  /** A usable connection ended: with the reason, or with none when stop() ended it. */
  disconnected: [error: IcecastError | undefined];
  /** Data held back by a false write() has been flushed: offer the next chunk. */
  drain: [];
}

/** The state plus what it owns; the setter tears down what the next state does not carry over. */
type State =
  | { status: 'idle' }
  | { status: 'connecting'; since: number; attempt: number; connection: SourceConnection }
  | { status: 'streaming'; since: number; connection: SourceConnection; healthyTimer: Timer }
  | { status: 'waiting'; since: number; attempt: number; delayMs: number; error: IcecastError; retryTimer: Timer }
  | { status: 'stopped'; since: number };

const OPTION_KEYS = new Set(['target', 'logger', 'clock', 'random', 'retry', 'timing', 'mayTakeMount', 'secrets']);

/**
 * One station's source connection to Icecast: connects, streams what write() is given, keeps the
 * title, and reconnects forever with backoff until stop().
 */
export class IcecastSource extends EventEmitter<IcecastSourceEvents> {
  readonly #credentials: IcecastCredentials;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #retry: ReconnectPolicy;
  readonly #timing: SourceTiming;
  readonly #titles: TitleUpdater;
  readonly #mayTakeMount: (() => Promise<boolean>) | undefined;
  #state: State = { status: 'idle' };
  /** Failed attempts since the last healthy stretch of streaming; drives the backoff. */
  #failures = 0;
  /** Code of the last failure logged at warn/error: repeats of it go to debug, not every retry. */
  #lastLoggedCode: string | undefined;

  constructor(options: IcecastSourceOptions) {
    super();
    rejectUnknownConfigKeys('IcecastSource', options, OPTION_KEYS);
    const target = resolveTarget(options.target);
    this.#clock = options.clock ?? systemClock;
    this.#credentials = new IcecastCredentials(target, options.secrets, () => this.#clock.now());
    this.#logger = options.logger.child({ mount: target.mount });
    this.#random = options.random ?? Math.random;
    this.#retry = withOverrides('retry', ICECAST_SOURCE_DEFAULTS.retry, options.retry);
    this.#timing = withOverrides('timing', ICECAST_SOURCE_DEFAULTS.timing, options.timing);
    this.#mayTakeMount = options.mayTakeMount;
    this.#titles = new TitleUpdater(
      async (title) => sendTitle(await this.#credentials.refresh(), title, this.#timing.metadataTimeoutMs),
      this.#logger,
      this.#clock,
      this.#timing,
    );
  }

  get state(): IcecastSourceState {
    return this.#state;
  }

  get status(): IcecastSourceStatus {
    return this.#state.status;
  }

  get mount(): string {
    return this.#credentials.target.mount;
  }

  /** The title last passed to setTitle(). */
  get title(): string | undefined {
    return this.#titles.title;
  }

  /** Connects, and keeps reconnecting until stop(). Calling it again while running does nothing. */
  start(): void {
    if (this.#state.status !== 'idle' && this.#state.status !== 'stopped') return;
    this.#failures = 0;
    this.#lastLoggedCode = undefined;
    this.#connect();
  }

  /**
   * Sends `chunk` to Icecast. true: taken. false: not taken, because no connection is usable or
   * earlier data is still backed up in the socket; keep the chunk and offer it again (after
   * 'streaming' or 'drain').
   */
  write(chunk: Buffer): boolean {
    return this.#state.status === 'streaming' && this.#state.connection.write(chunk);
  }

  /** True when write() would take a chunk now; a pacer holds its place in the song while it is false. */
  get accepting(): boolean {
    return this.#state.status === 'streaming' && this.#state.connection.accepting;
  }

  /** Shows `title` to listeners, now if streaming and again after every reconnect. Never throws. */
  setTitle(title: string): void {
    this.#titles.set(title);
  }

  /** Ends the stream and stops reconnecting; resolves when the connection is closed. */
  async stop(): Promise<void> {
    const state = this.#state;
    if (state.status === 'stopped') return;
    const closing = state.status === 'streaming' ? state.connection.close(this.#timing.stopTimeoutMs) : undefined;
    this.#setState({ status: 'stopped', since: this.#clock.now() });
    if (state.status === 'streaming') {
      this.#logger.info('source stopped');
      this.emit('disconnected', undefined);
    }
    await closing;
  }

  #connect(): void {
    const target = this.#credentials.target;
    const connection = new SourceConnection(target, this.#timing, this.#clock);
    connection.once('ready', () => this.#onReady(connection));
    connection.once('failed', (error) => this.#onFailed(connection, error, target.password));
    connection.on('drain', () => {
      if (this.#owns(connection)) this.emit('drain');
    });
    this.#logger.debug({ attempt: this.#failures }, 'connecting to Icecast');
    this.#setState({ status: 'connecting', since: this.#clock.now(), attempt: this.#failures, connection });
    // A 'state' listener may have called stop() meanwhile.
    if (this.#owns(connection)) connection.open();
  }

  #onReady(connection: SourceConnection): void {
    if (!this.#owns(connection)) return;
    const healthyTimer = this.#clock.setTimeout(() => {
      this.#failures = 0;
    }, this.#timing.healthyAfterMs);
    const failures = this.#failures;
    this.#lastLoggedCode = undefined;
    this.#logger.info({ failedAttempts: failures }, failures === 0 ? 'streaming to Icecast' : 'streaming to Icecast again');
    this.#setState({ status: 'streaming', since: this.#clock.now(), connection, healthyTimer });
    if (!this.#owns(connection)) return; // a 'state' listener called stop()
    this.#titles.activate();
    this.emit('streaming');
  }

  #onFailed(connection: SourceConnection, error: IcecastError, passwordTried: string): void {
    if (!this.#owns(connection)) return;
    const wasStreaming = this.#state.status === 'streaming';
    this.#failures += 1;
    const delayMs = retryDelayMs(this.#failures, this.#backoffKind(error), this.#retry, this.#random);
    this.#logFailure(error, delayMs);
    const retryTimer = this.#clock.setTimeout(() => void this.#connectWithFreshPasswords(error), delayMs);
    this.#setState({ status: 'waiting', since: this.#clock.now(), attempt: this.#failures, delayMs, error, retryTimer });
    if (wasStreaming) this.emit('disconnected', error);
    if (error.kind === 'mount-in-use' && this.#mayTakeMount) void this.#takeMount(this.#mayTakeMount, error);
    if (error.kind === 'auth') void this.#retryIfPasswordChanged(error, passwordTried);
  }

  /** Before each reconnect: a password file rewritten meanwhile is read, so the attempt uses its new value. */
  async #connectWithFreshPasswords(error: IcecastError): Promise<void> {
    await this.#credentials.refresh();
    if (this.#isWaitingAfter(error)) this.#connect();
  }

  /**
   * A 401 right after the operator changed the password: Icecast reloaded first and the file was read before
   * it was rewritten, or the other way round. The file is read now, and a new password is tried at once
   * instead of after the slow delay that a wrong password waits for.
   */
  async #retryIfPasswordChanged(error: IcecastError, passwordTried: string): Promise<void> {
    const target = await this.#credentials.refresh({ force: true });
    if (target.password === passwordTried || !this.#isWaitingAfter(error)) return;
    this.#logger.info('the source password file changed since the refused attempt: connecting again with the new password');
    this.#connect();
  }

  /** A 401 soon after the password file changed is Icecast not having reloaded yet: retried like a network fault. */
  #backoffKind(error: IcecastError): FailureKind {
    const since = this.#credentials.sincePasswordChangeMs;
    return error.kind === 'auth' && since !== undefined && since < this.#retry.passwordChangeSettleMs ? 'network' : error.kind;
  }

  #isWaitingAfter(error: IcecastError): boolean {
    return this.#state.status === 'waiting' && this.#state.error === error;
  }

  /** Removes the stale source that holds the mount, then connects at once instead of after the backoff. */
  async #takeMount(mayTakeMount: () => Promise<boolean>, error: IcecastError): Promise<void> {
    try {
      if (!(await mayTakeMount())) return;
      await killSource(await this.#credentials.refresh(), this.#timing.metadataTimeoutMs);
      this.#logger.info('removed the stale source holding the mount: this worker holds the station');
    } catch (failure) {
      this.#logger.warn({ err: failure }, 'could not take the mount from the stale source; waiting for Icecast to drop it');
      return;
    }
    if (!this.#isWaitingAfter(error)) return;
    this.#connect();
  }

  /** The first failure of a kind is logged loudly; its repeats (every retry) only at debug. */
  #logFailure(error: IcecastError, retryInMs: number): void {
    const fields = { err: error, code: error.code, status: error.status, attempt: this.#failures, retryInMs };
    if (error.code === this.#lastLoggedCode) {
      this.#logger.debug(fields, 'Icecast source connection failed again');
      return;
    }
    this.#lastLoggedCode = error.code;
    if (error.kind === 'auth' || error.kind === 'rejected') this.#logger.error(fields, error.message);
    else this.#logger.warn(fields, error.message);
  }

  #owns(connection: SourceConnection): boolean {
    const state = this.#state;
    return (state.status === 'connecting' || state.status === 'streaming') && state.connection === connection;
  }

  /** The one place states change: tears down what the old state owned and the new one does not. */
  #setState(next: State): void {
    const previous = this.#state;
    if (previous.status === 'waiting') previous.retryTimer.clear();
    if (previous.status === 'streaming') {
      previous.healthyTimer.clear();
      this.#titles.deactivate();
    }
    const oldConnection = 'connection' in previous ? previous.connection : undefined;
    const newConnection = 'connection' in next ? next.connection : undefined;
    if (oldConnection && oldConnection !== newConnection) {
      oldConnection.removeAllListeners();
      oldConnection.destroy();
    }
    this.#state = next;
    this.emit('state', next, previous);
  }
}

/** Defaults with the given overrides; a misspelt key or a value that is not a duration is an error. */
function withOverrides<T extends object>(name: string, defaults: T, overrides: Partial<T> | undefined): T {
  rejectUnknownConfigKeys(`IcecastSource.${name}`, overrides ?? {}, Object.keys(defaults));
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`IcecastSource.${name}.${key}`, `expected a number >= 0, got ${String(value)}`);
    }
  }
  return { ...defaults, ...overrides };
}
