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
