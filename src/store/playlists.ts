import { quoteInput } from '../errors.js';
import { asNumber, execAtomic, lrangeBounds, runMutation, type StoreContext } from './context.js';
import { NotFoundError, ValidationError } from './errors.js';
import { keys, KEY_FAMILIES } from './keys.js';
import {
  appendToPlaylistScript,
  clearPlaylistScript,
  createPlaylistScript,
  deleteFromPlaylistScript,
  importIntoPlaylistScript,
  insertIntoPlaylistScript,
  moveInPlaylistScript,
  removePlaylistScript,
  renamePlaylistScript,
  shufflePlaylistScript,
} from './lua/playlist-scripts.js';
import type { ListRange, PlaylistSummary } from './types.js';
import { MAX_PLAYLIST_LENGTH, validateName, validatePosition, validatePositions, validateRefs } from './validate.js';

const playlistKeys = (name: string) => [keys.playlists, keys.playlist(validateName('playlist', name))];

export async function listPlaylists(ctx: StoreContext): Promise<PlaylistSummary[]> {
  const names = (await execAtomic((m) => m.smembers(keys.playlists), ctx))[0] as string[];
  names.sort();
  if (names.length === 0) return [];
  const lengths = await execAtomic((m) => names.reduce((multi, name) => multi.llen(keys.playlist(name)), m), ctx);
  return names.map((name, i) => ({ name, length: asNumber(lengths[i]) }));
}

/** The refs of a playlist (or of a slice of it), in order. */
export async function getPlaylist(ctx: StoreContext, name: string, range?: ListRange): Promise<string[]> {
  validateName('playlist', name);
  const [start, stop] = lrangeBounds(range);
  const [member, refs] = await execAtomic((m) => m.sismember(keys.playlists, name).lrange(keys.playlist(name), start, stop), ctx);
  if (asNumber(member) === 0) throw new NotFoundError(`playlist ${quoteInput(name)} does not exist`);
  return refs as string[];
}

export async function getPlaylistLength(ctx: StoreContext, name: string): Promise<number> {
  validateName('playlist', name);
  const [member, length] = await execAtomic((m) => m.sismember(keys.playlists, name).llen(keys.playlist(name)), ctx);
  if (asNumber(member) === 0) throw new NotFoundError(`playlist ${quoteInput(name)} does not exist`);
  return asNumber(length);
}

export async function createPlaylist(ctx: StoreContext, name: string): Promise<void> {
  await runMutation(ctx, createPlaylistScript, playlistKeys(name), [name]);
}

/** Deletes a playlist; refused while a station plays it. Returns how many songs it held. */
export async function removePlaylist(ctx: StoreContext, name: string): Promise<number> {
  const removed = await runMutation(ctx, removePlaylistScript, [...playlistKeys(name), keys.stations], [name, KEY_FAMILIES.station]);
  return asNumber(removed);
}

/** Renames a playlist; stations that play it follow. Returns how many stations did. */
export async function renamePlaylist(ctx: StoreContext, name: string, newName: string): Promise<number> {
  validateName('playlist', newName);
  const moved = await runMutation(
    ctx,
    renamePlaylistScript,
    [...playlistKeys(name), keys.playlist(newName), keys.stations],
    [name, newName, KEY_FAMILIES.station],
  );
  return asNumber(moved);
}

/** Appends refs in the given order; returns the new length. */
export async function addToPlaylist(ctx: StoreContext, name: string, refs: readonly string[]): Promise<number> {
  const valid = validateRefs(refs);
  return asNumber(await runMutation(ctx, appendToPlaylistScript, playlistKeys(name), [name, MAX_PLAYLIST_LENGTH, ...valid]));
}

/** Inserts refs so that the first lands at the 1-based `position` (length + 1 appends). */
export async function insertIntoPlaylist(
  ctx: StoreContext,
  name: string,
  position: number,
  refs: readonly string[],
): Promise<number> {
  validatePosition(position);
  const valid = validateRefs(refs);
  return asNumber(
    await runMutation(ctx, insertIntoPlaylistScript, playlistKeys(name), [name, MAX_PLAYLIST_LENGTH, position, ...valid]),
  );
}

/** Removes the entries at the given 1-based positions (all checked first); returns how many. */
export async function deleteFromPlaylist(ctx: StoreContext, name: string, positions: readonly number[]): Promise<number> {
  const valid = validatePositions(positions);
  return asNumber(await runMutation(ctx, deleteFromPlaylistScript, playlistKeys(name), [name, ...valid]));
}

/** Moves the entry at 1-based `from` so that it ends up at `to`. */
export async function moveInPlaylist(ctx: StoreContext, name: string, from: number, to: number): Promise<void> {
  validatePosition(from);
  validatePosition(to);
  await runMutation(ctx, moveInPlaylistScript, playlistKeys(name), [name, from, to]);
}

export async function clearPlaylist(ctx: StoreContext, name: string): Promise<number> {
  return asNumber(await runMutation(ctx, clearPlaylistScript, playlistKeys(name), [name]));
}

/** Reorders the stored playlist at random, for good (unlike shuffle mode, which keeps it). */
export async function shufflePlaylist(ctx: StoreContext, name: string): Promise<void> {
  await runMutation(ctx, shufflePlaylistScript, playlistKeys(name), [name, ctx.seed()]);
}

export interface ImportOptions {
  /** `replace` swaps the whole content in one step; `append` adds after the existing songs. */
  readonly mode: 'replace' | 'append';
  /** Create the playlist when it does not exist. */
  readonly create: boolean;
}

/** Writes imported refs in one atomic step; returns the new length. */
export async function importIntoPlaylist(
  ctx: StoreContext,
  name: string,
  refs: readonly string[],
  options: ImportOptions,
): Promise<number> {
  const valid = refs.length === 0 ? [] : validateRefs(refs);
  if (options.mode !== 'replace' && options.mode !== 'append') throw new ValidationError(`invalid import mode ${options.mode}`);
  return asNumber(
    await runMutation(ctx, importIntoPlaylistScript, playlistKeys(name), [
      name,
      MAX_PLAYLIST_LENGTH,
      options.mode,
      options.create ? '1' : '0',
      ...valid,
    ]),
  );
}
