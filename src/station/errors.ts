import { RelaycastError } from '../errors.js';

/**
 * The song cannot be prepared right now for a reason that is not the song's fault (the relay or the
 * network is down, the relay refuses our token): it is kept in line and tried again later instead of
 * being skipped, so a relay outage does not eat through the playlist.
 */
export class SongNotReadyError extends RelaycastError {
  constructor(ref: string, cause: unknown) {
    super('ERR_SONG_NOT_READY', `cannot prepare ${ref} now; trying again shortly`, { cause });
  }
}

/**
 * A song kept the station silent past its silence budget: its source stalls (a trickling CDN, a stream
 * that sent headers then nothing) or its preparation overran. It is put aside and the next song played.
 */
export class SongStalledError extends RelaycastError {
  constructor(ref: string, silentMs: number, stage: 'preparing' | 'playing') {
    super('ERR_SONG_STALLED', `${ref} kept the station silent for ${(silentMs / 1000).toFixed(1)} s while ${stage}: put aside, playing the next song`);
  }
}
