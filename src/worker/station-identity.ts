import type { StationConfig } from '../config/index.js';
import { DEFAULT_METADATA_CHARSET } from '../icecast/index.js';
import type { StationIdentity } from '../station/index.js';
import { fallbackMountOf } from '../station-rules/index.js';
import type { NewStation, Station as StoredStation } from '../store/index.js';

/** A configured station as it plays without Redis: every setting of the config file is kept. */
export function configuredIdentity(station: StationConfig): StationIdentity {
  return { name: station.name, mount: station.mount, format: station.format, ice: station.ice, metadataCharset: station.metadataCharset };
}

/**
 * A station stored in Redis as it plays. Redis keeps no ice-url, ice-public or title charset, so a stored
 * station goes without the first two and sends titles without a charset (the default that keeps UTF-8).
 */
export function storedIdentity(stored: StoredStation): StationIdentity {
  return {
    name: stored.name,
    mount: stored.mount,
    format: stored.format,
    ice: { name: stored.iceName || stored.name, ...(stored.iceDescription ? { description: stored.iceDescription } : {}), ...(stored.iceGenre ? { genre: stored.iceGenre } : {}) },
    metadataCharset: DEFAULT_METADATA_CHARSET,
  };
}

/** What Redis keeps of a configured station when the worker seeds it, playing the playlist of its name. */
export function storedSettings(station: StationConfig): NewStation {
  return {
    mount: station.mount,
    playlist: station.name,
    format: station.format,
    iceName: station.ice.name ?? station.name,
    iceDescription: station.ice.description ?? '',
    iceGenre: station.ice.genre ?? '',
    loudness: configuredLoudness(station),
    crossfade: station.crossfade,
  };
}

/** The configured loudness target, null for off (as Redis and the loader have it). */
export function configuredLoudness(station: StationConfig): number | null {
  return station.loudness === 'off' ? null : station.loudness;
}

/** The source that feeds a stored station's fallback mount: same format, so Icecast can move listeners across. */
export function fallbackIdentity(stored: StoredStation): StationIdentity {
  const identity = storedIdentity(stored);
  return { ...identity, mount: fallbackMountOf(stored.mount), ice: { ...identity.ice, name: `${identity.ice.name ?? stored.name} (standby)` } };
}
