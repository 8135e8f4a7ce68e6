import { SilentFrames, memoizeTags, probeTags } from '../audio/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { WorkerMetrics } from '../metrics/index.js';
import { refLoader } from '../frame-loader/ref-loader.js';
import { ListSupplier, type ListEntry } from '../station/list-supplier.js';
import type { SongSupplier } from '../station/programme.js';
import { DEFAULT_TICK_MS, PacingClock, Station, type StationIdentity } from '../station/index.js';
import type { Store } from '../store/index.js';
import { systemClock } from '../time/index.js';
import { configuredSongs } from './playlist-file.js';
import { openServices, type WorkerServices } from './services.js';
import { configuredIdentity, configuredLoudness } from './station-identity.js';
import { WatchedPlaylist } from './watched-playlist.js';
import type { BuildStation, LiveSettings } from './stored-stations.js';

/**
 * The stations of one process. With Redis they are the stations stored there (the config seeds them) and
 * follow the admins' edits live; without Redis they are the configured ones, each playing its fixed list.
 */
export class Worker {
  private services: WorkerServices | undefined;
  private readonly fixedStations: Station[] = [];
  /** Every station of the process (and fallback feed) paces on this one timer. */
  private readonly pacingClock = new PacingClock(systemClock, DEFAULT_TICK_MS);
  /** One ffprobe per file for every station of the process, not one per station and play (the transcodes share it). */
  private readonly readTags = memoizeTags(probeTags);
  private stopStored: (() => Promise<void>) | undefined;
  /** File mode: the stations' playlist files, followed while they play. */
  private readonly playlists: WatchedPlaylist[] = [];
  private readonly onHangup = () => {
    this.logger.info('SIGHUP: reading the playlist files again');
    for (const playlist of this.playlists) void playlist.reload();
  };

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    /** Given when METRICS_PORT is set: the stations and services report to it. */
    private readonly metrics?: WorkerMetrics,
  ) {}

  async start(): Promise<void> {
    const metrics = this.metrics;
    const services = await openServices(this.config, this.logger, metrics ? { onLookup: metrics.observeLookup } : {}, this.readTags);
    this.services = services;
    if (metrics) {
      metrics.watchSongCache(services.resolver);
      if (services.audioCache) metrics.watchAudioCache(services.audioCache);
      if (services.redisReady) metrics.watchRedis(services.redisReady);
    }
    if (services.store) await this.startStored(services.store);
    else await this.startFixed();
  }

  async stop(): Promise<void> {
    process.off('SIGHUP', this.onHangup);
    for (const playlist of this.playlists.splice(0)) playlist.close();
    await Promise.all([...this.fixedStations.splice(0).map((station) => station.stop()), this.stopStored?.()]);
    await this.services?.close();
  }

  private async startFixed(): Promise<void> {
    for (const config of this.config.stations) {
      const supplier = new ListSupplier(configuredSongs(config), this.readTags);
      const loudness = configuredLoudness(config);
      const station = this.station(configuredIdentity(config), supplier, undefined, () => ({ match: true, loudness, crossfade: config.crossfade }));
      if (config.playlistFile) {
        const useFile = (entries: readonly ListEntry[]) => supplier.replace([...configuredSongs(config), ...entries]);
        const playlist = new WatchedPlaylist({
          path: config.playlistFile,
          logger: this.logger.child({ station: config.name }),
          // From the next song: the one on air plays to its end, the one prepared from the old list is dropped.
          onChange: (entries) => {
            useFile(entries);
            station.replan();
          },
        });
        this.playlists.push(playlist);
        useFile(await playlist.start());
      }
      this.fixedStations.push(station);
      station.start();
    }
    // SIGHUP re-reads the playlist files, the convention of daemons (and the default action would end us).
    process.on('SIGHUP', this.onHangup);
    if (this.config.stations.length === 0) {
      this.logger.warn('no stations: define them in RELAYCAST_CONFIG, with STATION_NAME and STATION_MOUNT, or with REDIS_URL and `relaycast station create`');
    }
  }

  /** Loaded only with Redis: a worker without it does not pay for the store's modules at start-up. */
  private async startStored(store: Store): Promise<void> {
    const { runStoredStations } = await import('./stored-stations.js');
    const build: BuildStation = (identity, supplier, mayTakeMount, live) => this.station(identity, supplier, mayTakeMount, live);
    this.stopStored = runStoredStations(store, this.config, this.logger, build, () => this.clearOwnCaches()).stop;
  }

  /** After `relaycast cache clear`: songs remembered unplayable are asked about again, audio is fetched anew. */
  private async clearOwnCaches(): Promise<void> {
    const services = this.services!;
    services.resolver.forgetUnplayable();
    await services.audioCache?.clear();
    this.logger.info('caches cleared: unplayable songs forgotten, disk audio cache emptied');
  }

  /**
   * `live`: the station's settings as they are now (`match` read at every song, `loudness` at every batch of
   * frames): a stored station's from Redis; a configured station without Redis always matches and aims at
   * its configured loudness.
   */
  private station(identity: StationIdentity, supplier: SongSupplier, mayTakeMount?: () => Promise<boolean>, live?: LiveSettings): Station {
    const services = this.services!;
    const logger = this.logger.child({ station: identity.name });
    const onTranscode = this.metrics?.transcodeReporter(identity.name, identity.mount);
    const station = new Station({
      config: identity,
      icecast: this.config.icecast,
      supplier,
      loader: refLoader({
        resolver: services.resolver,
        audioCache: services.audioCache,
        downloadDir: services.downloadDir,
        format: identity.format,
        logger,
        readTags: this.readTags,
        ...(live ? { match: () => live().match, loudness: () => live().loudness } : {}),
        ...(onTranscode ? { onTranscode } : {}),
        ...(services.recordLoudness ? { onMeasured: services.recordLoudness } : {}),
      }),
      silence: new SilentFrames(identity.format),
      logger: this.logger,
      silenceBudgetMs: this.config.silenceBudgetSec * 1000,
      ...(mayTakeMount ? { mayTakeMount } : {}),
      pacingClock: this.pacingClock,
      ...(live ? { crossfadeSeconds: () => live().crossfade } : {}),
    });
    this.metrics?.watchStation(station);
    return station;
  }
}
