import { SilentFrames, probeTags } from '../audio/index.js';
import type { Config, StationConfig } from '../config/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { refLoader } from '../songs/ref-loader.js';
import { ListSupplier } from '../station/list-supplier.js';
import type { SongSupplier } from '../station/programme.js';
import { Station, type StationIdentity } from '../station/station.js';
import type { Song } from '../station/song.js';
import type { Station as StoredStation, Store } from '../store/index.js';
import { followStoreEvents } from './events.js';
import { stationSongList } from './playlist-file.js';
import { RedisSupplier } from './redis-supplier.js';
import { StationRoster } from './roster.js';
import { seedStations } from './seed.js';
import { openServices, type WorkerServices } from './services.js';

/**
 * The stations of one process. With Redis they are the stations stored there (the config seeds them) and
 * follow the admins' edits live; without Redis they are the configured ones, each playing its fixed list.
 */
export class Worker {
  private services: WorkerServices | undefined;
  private readonly fixedStations: Station[] = [];
  private roster: StationRoster | undefined;
  private stopFollowing: (() => void) | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const services = await openServices(this.config, this.logger);
    this.services = services;
    if (services.store) await this.startStored(services.store);
    else await this.startFixed();
  }

  get stationCount(): number {
    return this.fixedStations.length + (this.roster?.size ?? 0);
  }

  async stop(): Promise<void> {
    this.stopFollowing?.();
    await Promise.all([...this.fixedStations.splice(0).map((station) => station.stop()), this.roster?.stopAll()]);
    await this.services?.close();
  }

  private async startFixed(): Promise<void> {
    for (const config of this.config.stations) {
      const station = this.station(config, new ListSupplier(await stationSongList(config), probeTags));
      this.fixedStations.push(station);
      station.start();
    }
    if (this.config.stations.length === 0) {
      this.logger.warn('no stations: define them in RELAYCAST_CONFIG, with STATION_NAME and STATION_MOUNT, or with REDIS_URL and `relaycast station create`');
    }
  }

  private async startStored(store: Store): Promise<void> {
    const roster = new StationRoster(store, (stored) => this.storedStation(store, stored), this.logger);
    this.roster = roster;
    let seeded = false;
    // Each time Redis answers (again): create the configured stations once, then catch up on missed edits.
    const onReady = async () => {
      if (!seeded) {
        seeded = await seedStations(store, this.config, this.logger).then(
          () => true,
          (error: unknown) => (this.logger.warn({ err: describeError(error) }, 'could not create the configured stations in Redis yet'), false),
        );
      }
      await roster.sync();
    };
    this.stopFollowing = followStoreEvents(store.redis, { onEvent: (event) => roster.handle(event), onReady: () => void onReady() }, this.logger);
  }

  private storedStation(store: Store, stored: StoredStation): Station {
    const identity: StationIdentity = {
      name: stored.name,
      mount: stored.mount,
      format: stored.format,
      ice: { name: stored.iceName || stored.name, ...(stored.iceDescription ? { description: stored.iceDescription } : {}), ...(stored.iceGenre ? { genre: stored.iceGenre } : {}) },
      metadataCharset: 'omit',
    };
    const logger = this.logger.child({ station: stored.name });
    const station = this.station(identity, new RedisSupplier(store, stored.name, logger));
    station.on('track-start', (song) => void recordPlay(store, stored.name, song, logger));
    return station;
  }

  private station(identity: StationIdentity | StationConfig, supplier: SongSupplier): Station {
    const services = this.services!;
    const logger = this.logger.child({ station: identity.name });
    return new Station({
      config: identity,
      icecast: this.config.icecast,
      supplier,
      loader: refLoader({ resolver: services.resolver, audioCache: services.audioCache, downloadDir: services.downloadDir, format: identity.format, logger }),
      silence: new SilentFrames(identity.format),
      logger: this.logger,
    });
  }
}

/** Now playing and history for `relaycast now` / `history`; Redis being away costs the record, never the song. */
async function recordPlay(store: Store, station: string, song: Song, logger: Logger): Promise<void> {
  const played = {
    ref: song.ref,
    title: song.title,
    artist: song.artist,
    ...(song.album ? { album: song.album } : {}),
    ...(song.durationMs ? { durationMs: song.durationMs } : {}),
    startedAt: Date.now(),
    source: song.origin?.source ?? 'playlist',
    position: song.origin?.position ?? 0,
  };
  try {
    await store.setNowPlaying(station, played);
    await store.appendHistory(station, played);
  } catch (error) {
    logger.debug({ song: song.ref, err: describeError(error) }, 'now playing not recorded');
  }
}
