import { SilentFrames, probeTags } from '../audio/index.js';
import type { Config, StationConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { ListSupplier } from '../station/list-supplier.js';
import type { FrameLoader } from '../station/programme.js';
import { Station } from '../station/station.js';
import { fileLoader } from './file-loader.js';
import { stationSongList } from './playlist-file.js';

/** The stations of one process, started together and stopped together. */
export class Worker {
  private readonly stations = new Map<string, Station>();

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const stationConfig of this.config.stations) {
      const station = await this.buildStation(stationConfig);
      this.stations.set(stationConfig.name, station);
      station.start();
    }
    if (this.stations.size === 0) this.logger.warn('no stations configured: define one in RELAYCAST_CONFIG or with STATION_NAME and STATION_MOUNT');
  }

  station(name: string): Station | undefined {
    return this.stations.get(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.stations.values()].map((station) => station.stop()));
    this.stations.clear();
  }

  private async buildStation(config: StationConfig): Promise<Station> {
    const songs = await stationSongList(config);
    const stationLogger = this.logger.child({ station: config.name });
    return new Station({
      config,
      icecast: this.config.icecast,
      supplier: new ListSupplier(songs, probeTags),
      loader: this.loaderFor(config, stationLogger),
      silence: new SilentFrames(config.format),
      logger: this.logger,
    });
  }

  private loaderFor(config: StationConfig, logger: Logger): FrameLoader {
    return fileLoader(config.format, logger);
  }
}
