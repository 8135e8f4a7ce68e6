import { quoteInput } from '../errors.js';
import { LeaseLostError, type StorePlayback } from '../store/index.js';
import type { StationLeases } from './station-leases.js';

export type OwnerPlayback = Pick<StorePlayback, 'peekNext' | 'takeNext' | 'setNowPlaying' | 'appendHistory'>;

/**
 * The store's play-state writes as this worker's, each carrying the station's lease as its fence: once the
 * lease is given up or lost, a write is refused here (no lease) or by Redis (an old token), never applied.
 */
export function ownerPlayback(playback: StorePlayback, leases: Pick<StationLeases, 'fenceOf'>): OwnerPlayback {
  const fence = (station: string) => {
    const lease = leases.fenceOf(station);
    if (!lease) throw new LeaseLostError(`this worker no longer holds the lease of station ${quoteInput(station)}`);
    return lease;
  };
  return {
    peekNext: (station, count) => playback.peekNext(station, count),
    takeNext: async (station) => playback.takeNext(station, fence(station)),
    setNowPlaying: async (station, song) => playback.setNowPlaying(station, song, fence(station)),
    appendHistory: async (station, song) => playback.appendHistory(station, song, fence(station)),
  };
}
