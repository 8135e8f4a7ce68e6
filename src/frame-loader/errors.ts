import { RelaycastError } from '../errors.js';

/** The relay says the song cannot be broadcast (no rights, trial clip, delisted…): skip it. */
export class SongUnplayableError extends RelaycastError {
  readonly ref: string;
  readonly reason: string;

  constructor(ref: string, reason: string, message: string) {
    super('ERR_SONG_UNPLAYABLE', `${ref} is not playable (${reason}): ${message}`);
    this.ref = ref;
    this.reason = reason;
  }
}
