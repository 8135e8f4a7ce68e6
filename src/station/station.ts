import { EventEmitter } from 'node:events';
import { bytesPerSecond, frameBytes, frameDurationUs, type Mp3Frame } from '../audio/index.js';
import { secretOf } from '../secret-file.js';
import { IcecastSource, type IcecastSecrets, type IcecastSourceState, type IcecastTarget } from '../icecast/index.js';
import type { Logger } from '../log/index.js';
import { systemClock, type Clock } from '../time/index.js';
import type { StationIdentity } from './identity.js';
import { Pacer, tickMsFor } from './pacer.js';
import { Crossfader, type CrossfadeOutcome } from './crossfader.js';
import type { PacingClock } from './pacing-clock.js';
import { Programme, type FrameLoader, type SongSupplier, type TrackEndReason } from './programme.js';
import { displayTitle } from '../song-title.js';
import type { Song } from './song.js';

export type StationStatus = 'idle' | 'running' | 'stopped';

export interface IcecastServer {
  url: string;
  username: string;
  sourcePassword: string;
  adminUser?: string | undefined;
  adminPassword?: string | undefined;
  /** The files the passwords were read from (ICECAST_*_PASSWORD_FILE): read again when they change. */
  sourcePasswordFile?: string | undefined;
  adminPasswordFile?: string | undefined;
}

export interface StationOptions {
  config: StationIdentity;
  icecast: IcecastServer;
  supplier: SongSupplier;
  loader: FrameLoader;
  silence: { next(): Mp3Frame };
  logger: Logger;
  clock?: Clock;
  /** Longest silence while a playable song is on the list (the programme's default when not given). */
  silenceBudgetMs?: number;
  /** See IcecastSourceOptions.mayTakeMount: given for stations played under a lease. */
  mayTakeMount?: () => Promise<boolean>;
  /** The process's one pacing timer, shared by its stations; without it the station runs its own. */
  pacingClock?: PacingClock;
  /** The station's crossfade in seconds as it is now, read as each song nears its end (0 or absent: gapless joins). */
  crossfadeSeconds?: () => number;
}

export interface StationEvents {
  'track-start': [song: Song];
  'track-end': [song: Song, reason: TrackEndReason, error: unknown];
  /** Its Icecast source changed state (connecting, streaming, waiting after a failure…). */
  'source-state': [state: IcecastSourceState, previous: IcecastSourceState];
  /** A crossfade between two songs was attempted (see CrossfadeOutcome). */
  crossfade: [outcome: CrossfadeOutcome];
  /** stop() has finished: the station is over for good. */
  stopped: [];
}

/**
 * One station: its programme of songs, paced in real time into its own Icecast source connection.
 * Whatever happens to songs or to Icecast, it keeps the mount fed (music or silence) until stopped.
 */
export class Station extends EventEmitter<StationEvents> {
  readonly name: string;
  readonly mount: string;
  private status: StationStatus = 'idle';
  private readonly source: IcecastSource;
  private readonly programme: Programme;
  private readonly pacer: Pacer;
  private readonly logger: Logger;
  private readonly frameSeconds: number;

  constructor(options: StationOptions) {
    super();
    const { config } = options;
    this.name = config.name;
    this.mount = config.mount;
    const clock = options.clock ?? systemClock;
    const stationLogger = options.logger.child({ station: config.name });
    this.logger = stationLogger.child({ mount: config.mount });
    // The source names its mount in its own lines: given the station's logger, each line has it once.
    this.source = new IcecastSource({
      target: icecastTarget(options.icecast, config),
      logger: stationLogger,
      clock,
      secrets: icecastSecrets(options.icecast, this.logger),
      ...(options.mayTakeMount ? { mayTakeMount: options.mayTakeMount } : {}),
    });
    this.programme = new Programme({
      supplier: options.supplier,
      loader: options.loader,
      silence: options.silence,
      logger: this.logger,
      clock,
      ...(options.silenceBudgetMs !== undefined ? { silenceBudgetMs: options.silenceBudgetMs } : {}),
      ...(options.crossfadeSeconds ? { crossfader: new Crossfader({ seconds: options.crossfadeSeconds, format: config.format, logger: this.logger, onJoin: (outcome) => this.emit('crossfade', outcome) }) } : {}),
    });
    this.pacer = new Pacer({
      clock,
      frameDurationUs: frameDurationUs(config.format),
      tickMs: tickMsFor(bytesPerSecond(config.format), frameBytes(config.format, true)),
      nextFrame: () => this.programme.nextFrame(),
      write: (bytes) => this.source.write(bytes),
      canWrite: () => this.source.accepting,
      ...(options.pacingClock ? { pacingClock: options.pacingClock } : {}),
    });
    // A new connection gets its lead at once instead of at the next tick: listeners are back sooner.
    this.source.on('streaming', () => {
      this.pacer.reanchor();
      this.pacer.tick();
    });
    this.frameSeconds = frameDurationUs(config.format) / 1_000_000;
    this.source.on('state', (state, previous) => this.emit('source-state', state, previous));
    this.programme.on('track-start', (song) => this.onTrackStart(song));
    this.programme.on('track-end', (song, reason, error) => this.emit('track-end', song, reason, error));
  }

  get state(): StationStatus {
    return this.status;
  }

  /** Whether its source is streaming to Icecast now (listeners hear it rather than a fallback). */
  get onAir(): boolean {
    return this.source.status === 'streaming';
  }

  get nowPlaying(): Song | undefined {
    return this.programme.nowPlaying;
  }

  /** Seconds of the song on air played so far; 0 when none is on air. */
  get positionSeconds(): number {
    return this.programme.nowPlayingFrames * this.frameSeconds;
  }

  /** Seconds of silence sent while a song was wanted (loading, or its frames late), since start. */
  get wantedSilenceSeconds(): number {
    return this.programme.wantedSilenceFrames * this.frameSeconds;
  }

  start(): void {
    if (this.status !== 'idle') return;
    this.status = 'running';
    this.source.start();
    this.programme.start();
    this.pacer.start();
    this.logger.info('station started');
  }

  /** Ends the current song now; the next one (already prepared when possible) follows at once. */
  skip(): void {
    this.logger.info({ song: this.programme.nowPlaying?.ref }, 'skipping the current song');
    this.programme.skip();
    // Whatever is due goes out now rather than at the next tick: the new song reaches listeners sooner.
    this.pacer.tick();
  }

  /** Forgets the prepared songs so the next one is picked again (after a playlist or queue edit). */
  replan(): void {
    this.programme.replan();
  }

  async stop(): Promise<void> {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    this.pacer.stop();
    this.programme.close();
    await this.source.stop();
    this.logger.info('station stopped');
    this.emit('stopped');
  }

  private onTrackStart(song: Song): void {
    this.source.setTitle(displayTitle(song));
    this.logger.info({ song: song.ref, title: song.title, artist: song.artist }, 'now playing');
    this.emit('track-start', song);
  }
}

function icecastTarget(server: IcecastServer, config: StationIdentity): IcecastTarget {
  return {
    url: server.url,
    mount: config.mount,
    username: server.username,
    password: server.sourcePassword,
    adminUser: server.adminUser,
    adminPassword: server.adminPassword,
    metadataCharset: config.metadataCharset,
    ice: { ...config.ice, name: config.ice.name ?? config.name },
    format: config.format,
  };
}

/** The passwords as their files hold them from time to time; the source reads them again at each connect. */
function icecastSecrets(server: IcecastServer, logger: Logger): IcecastSecrets {
  const password = secretOf({ setting: 'ICECAST_SOURCE_PASSWORD', value: server.sourcePassword, file: server.sourcePasswordFile, logger });
  if (server.adminPassword === undefined) return { password };
  const adminPassword = secretOf({ setting: 'ICECAST_ADMIN_PASSWORD', value: server.adminPassword, file: server.adminPasswordFile, logger });
  return { password, adminPassword };
}
