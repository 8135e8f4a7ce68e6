import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Clock, Timer } from '../time/index.js';
import type { ConfigFiles } from './config-files.js';
import type { EdgeMaster } from './edge-master.js';
import type { MountedStation } from './mount-blocks.js';
import { renderIcecastConfig } from './render.js';
import type { StationFeed } from './station-feed.js';

/** The writer's periods; the events make it fast, these make it right when an event or a change is missed. */
export const WRITER_TIMING = Object.freeze({
  /** How often the base is read for a change: setup re-renders it when a secret in .env changed. */
  basePollMs: 2_000,
  /** How often the stations are read whatever the events say: a lost event is repaired within this. */
  refreshMs: 30_000,
});

export type WriterTiming = typeof WRITER_TIMING;

export interface WriterDeps {
  readonly files: ConfigFiles;
  readonly feed: StationFeed;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Set on an edge: every station's mounts are also relayed from this master. */
  readonly edge?: EdgeMaster | undefined;
  /** Where the output goes, for the log lines. */
  readonly outputPath: string;
  readonly timing?: Partial<WriterTiming>;
}

/**
 * What the writer knows of Redis: `unknown` until the first listing, `answering` while listings succeed,
 * `away` after one failed (logged once per outage).
 */
export type RedisState = 'unknown' | 'answering' | 'away';

/** A round re-reads the base always, and the stations when asked (an event, the subscription, the refresh). */
interface RoundRequest {
  stations: boolean;
}

const BASE_KEY = 'ICECAST_BASE_CONFIG_PATH';

/**
 * Keeps Icecast's config file equal to the base plus every stored station's mount blocks. It writes only
 * when the text differs (icecast-run reloads Icecast on every change of the file). Rounds run one at a
 * time; requests during a round make one more round after it, so no change is lost and none is written
 * twice at once. While Redis is away the file stays as last written (a base change still applies, with
 * the stations known last); a writer that starts without Redis writes the base alone only when there is
 * no file yet, so Icecast can start.
 */
export class IcecastConfigWriter {
  readonly #deps: WriterDeps;
  readonly #timing: WriterTiming;
  #redis: RedisState = 'unknown';
  #stations: readonly MountedStation[] | undefined;
  #base: string | undefined;
  /** The file as on disk (read at start, then as written); undefined while there is none. */
  #onDisk: string | undefined;
  /** The last problem logged for the base or the write, so a lasting one is logged once. */
  #problem: string | undefined;
  #wanted: RoundRequest | undefined;
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #timers: Timer[] = [];
  #stopped = false;

  constructor(deps: WriterDeps) {
    this.#deps = deps;
    this.#timing = { ...WRITER_TIMING, ...deps.timing };
  }

  get redis(): RedisState {
    return this.#redis;
  }

  /**
   * The first round, then follows events, the base and the refresh. Throws a ConfigError when the base
   * cannot be read or has no marker: at start that is a setup to fix, not an outage to ride out.
   */
  async start(): Promise<void> {
    const { files, feed, clock } = this.#deps;
    this.#onDisk = await files.readOutput();
    this.#base = await files.readBase();
    renderIcecastConfig(this.#base, [], { baseName: BASE_KEY }); // the marker is checked before anything is written
    await this.#round({ stations: true });
    feed.follow(() => this.request({ stations: true }));
    this.#timers.push(
      clock.setInterval(() => void this.request({ stations: false }), this.#timing.basePollMs),
      clock.setInterval(() => void this.request({ stations: true }), this.#timing.refreshMs),
    );
  }

  /** Asks for a round; resolves when the writer is idle again (every round asked for so far has run). */
  request(what: RoundRequest): Promise<void> {
    if (this.#stopped) return this.#idle;
    this.#wanted = { stations: what.stations || (this.#wanted?.stations ?? false) };
    if (!this.#running) {
      this.#running = true;
      this.#idle = this.#drain();
    }
    return this.#idle;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) timer.clear();
    this.#timers = [];
    this.#deps.feed.close();
    await this.#idle;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#wanted && !this.#stopped) {
        const request = this.#wanted;
        this.#wanted = undefined;
        await this.#round(request);
      }
    } finally {
      this.#running = false;
    }
  }

  async #round(request: RoundRequest): Promise<void> {
    if (request.stations || this.#stations === undefined) await this.#listStations();
    const baseProblem = await this.#readBase();
    const writeProblem = await this.#write();
    this.#settle(baseProblem ?? writeProblem);
  }

  async #listStations(): Promise<void> {
    const { feed, logger } = this.#deps;
    try {
      this.#stations = await feed.list();
      if (this.#redis === 'away') logger.info({ event: 'icecast-config.redis-back', stations: this.#stations.length }, 'Redis answers again: station mounts follow it');
      this.#redis = 'answering';
    } catch (error) {
      if (this.#redis !== 'away') {
        const kept = this.#stations === undefined ? (this.#onDisk === undefined ? 'writing the base without station mounts' : 'keeping the file as it is') : 'keeping the station mounts known last';
        logger.warn({ event: 'icecast-config.redis-away', err: describeError(error) }, `Redis unreachable: ${kept} until it answers`);
      }
      this.#redis = 'away';
    }
  }

  /** Reads the base again; on failure the one read last stays, and the problem is returned. */
  async #readBase(): Promise<string | undefined> {
    try {
      this.#base = await this.#deps.files.readBase();
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /** Writes the file when its text changed; returns what went wrong, the file then staying as it was. */
  async #write(): Promise<string | undefined> {
    const { files, logger, edge, outputPath } = this.#deps;
    // Stations never listed (Redis away since start): a file already there stays; none at all gets the base.
    if (this.#base === undefined || (this.#stations === undefined && this.#onDisk !== undefined)) return undefined;
    try {
      const rendered = renderIcecastConfig(this.#base, this.#stations ?? [], { baseName: BASE_KEY, edge });
      for (const skipped of rendered.skipped) {
        logger.warn({ event: 'icecast-config.station-skipped', station: skipped.name, mount: skipped.mount }, `station left out of Icecast's config: its mount ${skipped.problem}`);
      }
      if (rendered.text !== this.#onDisk) {
        await files.writeOutput(rendered.text);
        this.#onDisk = rendered.text;
        logger.info({ event: 'icecast-config.written', file: outputPath, mounts: rendered.mounts, edge: edge ? `${edge.host}:${edge.port}` : undefined }, 'Icecast config written');
      }
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /** Logs a problem once while it lasts, and its end. */
  #settle(problem: string | undefined): void {
    const { logger } = this.#deps;
    if (problem !== undefined && problem !== this.#problem) {
      logger.error({ event: 'icecast-config.failed', err: problem }, 'cannot render Icecast config: the file written last stays');
    }
    if (problem === undefined && this.#problem !== undefined) logger.info({ event: 'icecast-config.recovered' }, 'Icecast config follows the base and the stations again');
    this.#problem = problem;
  }
}
