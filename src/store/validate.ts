import { DEFAULT_STREAM_FORMAT, streamFormatProblem } from '../audio/format.js';
import { loudnessTargetProblem } from '../audio/loudness.js';
import { quoteInput } from '../errors.js';
import { parseSongRef, RefSyntaxError } from '../refs/index.js';
import { crossfadeProblem, iceTextProblem, nameProblem, stationMountProblem } from '../station-rules/index.js';
import { ValidationError } from './errors.js';
import type { PlayMode, StationUpdate } from './types.js';

/** Upper bounds on lists in Redis (STYLE: every buffer bounded by a named limit). */
export const MAX_PLAYLIST_LENGTH = 10_000;
export const MAX_QUEUE_LENGTH = 1_000;
/** Most refs one call may add at once; the playlist limit still applies on top. */
export const MAX_REFS_PER_CALL = MAX_PLAYLIST_LENGTH;

export const PLAY_MODES: readonly PlayMode[] = ['order', 'shuffle'];

export function validateName(kind: 'station' | 'playlist', name: string): string {
  const problem = nameProblem(name);
  if (problem === undefined) return name;
  const shown = typeof name === 'string' && name !== '' ? ` ${quoteInput(name)}` : '';
  throw new ValidationError(`${kind} name${shown} ${problem}`);
}

export function validateMount(mount: string): string {
  const problem = stationMountProblem(mount);
  if (problem !== undefined) throw new ValidationError(`invalid mount ${quoteInput(String(mount))}: ${problem}`);
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
  const problem = iceTextProblem(value);
  if (problem !== undefined) throw new ValidationError(`${key} ${problem}`);
  return value;
}

/** Why `mode` is not a play mode, or undefined when it is one. */
export function playModeProblem(mode: string): string | undefined {
  if (PLAY_MODES.some((playMode) => playMode === mode)) return undefined;
  return `invalid mode ${quoteInput(String(mode))}: expected ${PLAY_MODES.join(' or ')}`;
}

/** Checks every field that is present; Lua checks what needs Redis (playlist exists, mount free). */
export function validateStationSettings(settings: StationUpdate): StationUpdate {
  if (settings.mount !== undefined) validateMount(settings.mount);
  if (settings.playlist !== undefined) validateName('playlist', settings.playlist);
  const badMode = settings.mode === undefined ? undefined : playModeProblem(settings.mode);
  if (badMode !== undefined) throw new ValidationError(badMode);
  if (settings.repeat !== undefined && typeof settings.repeat !== 'boolean') throw new ValidationError('repeat must be on or off');
  if (settings.match !== undefined && typeof settings.match !== 'boolean') throw new ValidationError('match must be on or off');
  if (settings.loudness !== undefined && settings.loudness !== null) {
    const problem = loudnessTargetProblem(settings.loudness);
    if (problem !== undefined) throw new ValidationError(problem);
  }
  if (settings.crossfade !== undefined) {
    const problem = crossfadeProblem(settings.crossfade);
    if (problem !== undefined) throw new ValidationError(problem);
  }
  if (settings.format !== undefined) {
    // A change may name one field only: checked within a whole format, where the defaults never fail.
    const problem = streamFormatProblem({ ...DEFAULT_STREAM_FORMAT, ...settings.format });
    if (problem !== undefined) throw new ValidationError(problem);
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
