import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Station } from '../station/index.js';
import type { Station as StoredStation, StoreEvent, StoreStations } from '../store/index.js';

/** Settings that need a new Icecast source connection when they change (mount, format, ice headers). */
function sourceKey(station: StoredStation): string {
  return JSON.stringify([station.mount, station.format, station.iceName, station.iceDescription, station.iceGenre]);
}

/** Settings that change what plays next, applied from the next song (`match`: how its audio is looked up). */
function programmeKey(station: StoredStation): string {
  return JSON.stringify([station.playlist, station.mode, station.repeat, station.match]);
}

function stopReason(latest: StoredStation | undefined, listed: readonly StoredStation[], name: string): string {
  if (latest) return 'its mount or format changed';
  return listed.some((station) => station.name === name) ? 'another worker plays it now' : 'it was removed';
}

interface Running {
  station: Station;
  stored: StoredStation;
}

/**
 * The stations stored in Redis that this worker plays (`plays`: those it holds the lease of), kept running: created when `station create` adds one, stopped (mount taken
 * down) when `station rm` removes one, restarted when its mount or format changes, replanned when what it
 * plays changes. Admin events apply at once; a full sync after every Redis reconnect catches missed ones.
 */
export class StationRoster {
  private readonly running = new Map<string, Running>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stations: Pick<StoreStations, 'list'>,
    /** `current` gives the settings as last synced, for what the station reads at each song. */
    private readonly build: (stored: StoredStation, current: () => StoredStation) => Station,
    private readonly plays: (station: string) => boolean,
    private readonly logger: Logger,
  ) {}

  /** Brings the running stations in line with Redis; serialised, so overlapping calls never race. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncNow()).catch((error: unknown) => {
      this.logger.warn({ err: describeError(error) }, 'could not read the stations from Redis; keeping the running ones');
    });
    return this.syncing;
  }

  /** Stops the running stations this worker no longer plays, without asking Redis (it may be what failed). */
  stopUnplayed(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      for (const name of [...this.running.keys()]) if (!this.plays(name)) await this.stop(name, 'this worker no longer holds its lease');
    });
    return this.syncing;
  }

  handle(event: StoreEvent): void {
    const target = event.station ? this.running.get(event.station) : undefined;
    switch (event.type) {
      case 'skip':
        target?.station.skip();
        return;
      case 'queue-changed':
        this.replan(target, event.now);
        return;
      case 'playlist-changed':
        for (const entry of this.running.values()) if (entry.stored.playlist === event.playlist) this.replan(entry, event.now);
        return;
      case 'station-changed':
      case 'station-removed':
        void this.sync();
    }
  }

  /** Whether this worker's source of the station is on Icecast now. */
  onAir(name: string): boolean {
    return this.running.get(name)?.station.onAir ?? false;
  }

  get size(): number {
    return this.running.size;
  }

  async stopAll(): Promise<void> {
    const stopping = [...this.running.values()].map((entry) => entry.station.stop());
    this.running.clear();
    await Promise.all(stopping);
  }

  private replan(entry: Running | undefined, now: boolean | undefined): void {
    if (!entry) return;
    entry.station.replan();
    if (now) entry.station.skip();
  }

  private async syncNow(): Promise<void> {
    const listed = await this.stations.list();
    const stored = new Map(listed.filter((station) => this.plays(station.name)).map((station) => [station.name, station]));
    for (const [name, entry] of this.running) {
      const latest = stored.get(name);
      if (!latest || sourceKey(latest) !== sourceKey(entry.stored)) await this.stop(name, stopReason(latest, listed, name));
      else {
        const replan = programmeKey(latest) !== programmeKey(entry.stored);
        // Settings read while a song plays (`loudness`) take effect through `current` alone, at once.
        entry.stored = latest;
        if (replan) entry.station.replan();
      }
    }
    for (const [name, station] of stored) if (!this.running.has(name)) this.start(station);
  }

  private start(stored: StoredStation): void {
    try {
      const station = this.build(stored, () => this.running.get(stored.name)?.stored ?? stored);
      this.running.set(stored.name, { station, stored });
      station.start();
    } catch (error) {
      this.logger.error({ station: stored.name, err: describeError(error) }, 'cannot start the station');
    }
  }

  private async stop(name: string, why: string): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    this.running.delete(name);
    this.logger.info({ station: name, why }, 'stopping the station');
    await entry.station.stop();
  }
}
