import { MPEG1_BITRATES_KBPS, MPEG1_SAMPLE_RATES } from '../audio/index.js';
import { hasControlChars } from '../control-chars.js';
import { quoteInput } from '../errors.js';
import { parseSongRef, RefSyntaxError } from '../refs/index.js';
import { ValidationError } from './errors.js';
import type { PlayMode, StationUpdate } from './types.js';

export const MAX_NAME_LENGTH = 64;
/** Longest ice-name / ice-description / ice-genre: they travel in HTTP headers to Icecast. */
export const MAX_ICE_TEXT_LENGTH = 256;
/** Upper bounds on lists in Redis (STYLE: every buffer bounded by a named limit). */
export const MAX_PLAYLIST_LENGTH = 10_000;
export const MAX_QUEUE_LENGTH = 1_000;
/** Most refs one call may add at once; the playlist limit still applies on top. */
export const MAX_REFS_PER_CALL = MAX_PLAYLIST_LENGTH;

const MOUNT = /^\/[A-Za-z0-9._~-]{1,63}$/;
export const PLAY_MODES: readonly PlayMode[] = ['order', 'shuffle'];

/** A station or playlist name: 1..64 characters, no control characters, no surrounding spaces. */
export function validateName(kind: 'station' | 'playlist', name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError(`${kind} name is empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`${kind} name ${quoteInput(name)} is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (hasControlChars(name)) throw new ValidationError(`${kind} name ${quoteInput(name)} contains control characters`);
  // Invisible differences ("jazz" vs "jazz ") would make two names an admin cannot tell apart.
  if (name.trim() !== name) throw new ValidationError(`${kind} name ${quoteInput(name)} has leading or trailing spaces`);
  return name;
}

export function validateMount(mount: string): string {
  if (!MOUNT.test(mount)) {
    throw new ValidationError(
      `invalid mount ${quoteInput(mount)}: expected / and 1-63 letters, digits, . _ ~ or - (e.g. /radio.mp3)`,
    );
  }
  return mount;
}

/** The ref as given when it is a song ref, else a ValidationError saying what is wrong with it. */
export function validateSongRef(ref: string): string {
  try {
    parseSongRef(ref);
  } catch (error) {
    if (error instanceof RefSyntaxError) throw new ValidationError(`invalid song ref ${quoteInput(ref)}: ${error.problem}`);
    throw error;
  }
  return ref;
}

export function validateRefs(refs: readonly string[], limit = MAX_REFS_PER_CALL): string[] {
  if (refs.length === 0) throw new ValidationError('no song refs given');
  if (refs.length > limit) throw new ValidationError(`${refs.length} refs at once is more than the limit of ${limit}`);
  return refs.map(validateSongRef);
}

function validateIceText(key: string, value: string): string {
  if (value.length > MAX_ICE_TEXT_LENGTH) throw new ValidationError(`${key} is longer than ${MAX_ICE_TEXT_LENGTH} characters`);
  if (hasControlChars(value)) throw new ValidationError(`${key} contains control characters`);
  return value;
}

/** Checks every field that is present; Lua checks what needs Redis (playlist exists, mount free). */
export function validateStationSettings(settings: StationUpdate): StationUpdate {
  if (settings.mount !== undefined) validateMount(settings.mount);
  if (settings.playlist !== undefined) validateName('playlist', settings.playlist);
  if (settings.mode !== undefined && !PLAY_MODES.includes(settings.mode)) {
    throw new ValidationError(`invalid mode ${quoteInput(String(settings.mode))}: expected order or shuffle`);
  }
  if (settings.repeat !== undefined && typeof settings.repeat !== 'boolean') throw new ValidationError('repeat must be on or off');
  const format = settings.format;
  if (format?.bitrateKbps !== undefined && !(MPEG1_BITRATES_KBPS as readonly number[]).includes(format.bitrateKbps)) {
    throw new ValidationError(`invalid bitrate ${format.bitrateKbps}: expected one of ${MPEG1_BITRATES_KBPS.join(', ')} (kb/s)`);
  }
  if (format?.sampleRate !== undefined && !(MPEG1_SAMPLE_RATES as readonly number[]).includes(format.sampleRate)) {
    throw new ValidationError(`invalid sample rate ${format.sampleRate}: expected one of ${MPEG1_SAMPLE_RATES.join(', ')}`);
  }
  if (format?.channels !== undefined && format.channels !== 1 && format.channels !== 2) {
    throw new ValidationError(`invalid channels ${String(format.channels)}: expected 1 or 2`);
  }
  if (settings.iceName !== undefined) validateIceText('ice-name', settings.iceName);
  if (settings.iceDescription !== undefined) validateIceText('ice-description', settings.iceDescription);
  if (settings.iceGenre !== undefined) validateIceText('ice-genre', settings.iceGenre);
  return settings;
}

/** 1-based positions as integers; range checks against the current length happen atomically in Lua. */
export function validatePositions(positions: readonly number[]): number[] {
  if (positions.length === 0) throw new ValidationError('no positions given');
  if (positions.length > MAX_PLAYLIST_LENGTH) throw new ValidationError(`too many positions (${positions.length})`);
  for (const position of positions) validatePosition(position);
  return [...positions];
}

export function validatePosition(position: number): number {
  if (!Number.isSafeInteger(position) || position < 1) {
    throw new ValidationError(`invalid position ${String(position)}: positions start at 1`);
  }
  return position;
}
