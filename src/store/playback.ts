import { z } from 'zod';
import { quoteInput } from '../errors.js';
import { asNumber, execAtomic, lrangeBounds, runScript, type StoreContext } from './context.js';
import { NotFoundError, ValidationError } from './errors.js';
import { keys, KEY_FAMILIES } from './keys.js';
import type { Lease } from './leases.js';
import { appendHistoryScript, setNowPlayingScript } from './lua/small-scripts.js';
import { takeNextScript } from './lua/take-next.js';
import { optionalCoverUrl } from './song-meta.js';
import type { ListRange, NextSong, PlayedSong, SongSource } from './types.js';
import { validateName, validateSongRef } from './validate.js';

/** In shuffle mode no song repeats within this many plays (when the playlist has more distinct songs). */
export const NO_REPEAT_WINDOW = 5;
/** Entries kept in a station's play history (newest first). */
export const HISTORY_LIMIT = 200;
/** Most songs one peek may look ahead. */
export const MAX_PEEK = 50;

function takeNextKeys(station: string): string[] {
  return [
    keys.station(station),
    keys.queue(station),
    keys.cursor(station),
    keys.shuffleOrder(station),
    keys.shufflePlayed(station),
    keys.recent(station),
    keys.lease(station),
  ];
}

/** The ARGV pair check_fence reads: the owner's worker and token, or '' for a write with no owner. */
function fenceArgs(station: string, fence: Lease | undefined): [string, string] {
  if (!fence) return ['', ''];
  if (fence.station !== station) throw new ValidationError(`the lease given is for station ${quoteInput(fence.station)}, not ${quoteInput(station)}`);
  return [fence.worker, String(fence.token)];
}

function toNextSongs(reply: unknown): NextSong[] {
  const flat = Array.isArray(reply) ? reply : [];
  const songs: NextSong[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    songs.push({ ref: String(flat[i]), source: flat[i + 1] as SongSource, position: asNumber(flat[i + 2]) });
  }
  return songs;
}

async function runTakeNext(ctx: StoreContext, station: string, mode: 'take' | 'peek', count: number, fence?: Lease): Promise<NextSong[]> {
  validateName('station', station);
  const reply = await runScript(ctx, takeNextScript, takeNextKeys(station), [
    KEY_FAMILIES.playlist,
    mode,
    count,
    ctx.seed(),
    NO_REPEAT_WINDOW,
    station,
    ...fenceArgs(station, fence),
  ]);
  return toNextSongs(reply);
}

/**
 * Picks what plays next in one atomic step: the queue's head, else the playlist's next entry by the
 * station's mode (see lua/take-next.ts). Null when nothing is left (empty playlist, or repeat off and
 * the end reached). With the owner's `fence`, a worker that lost the station's lease takes nothing
 * (LeaseLostError).
 */
export async function takeNextSong(ctx: StoreContext, station: string, fence?: Lease): Promise<NextSong | null> {
  return (await runTakeNext(ctx, station, 'take', 1, fence))[0] ?? null;
}

/** The next `count` songs takeNextSong would hand out if nothing changes; changes nothing. */
export async function peekNextSongs(ctx: StoreContext, station: string, count: number): Promise<NextSong[]> {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_PEEK) {
    throw new ValidationError(`peek count must be 1..${MAX_PEEK}, got ${String(count)}`);
  }
  return runTakeNext(ctx, station, 'peek', count);
}

const playedSongSchema = z.object({
  ref: z.string(),
  title: z.string(),
  artist: z.string(),
  album: z.string().optional(),
  startedAt: z.number(),
  durationMs: z.number().optional(),
  coverUrl: optionalCoverUrl,
  source: z.enum(['queue', 'playlist']),
  position: z.number(),
});

function validatePlayedSong(song: PlayedSong): PlayedSong {
  validateSongRef(song.ref);
  const parsed = playedSongSchema.safeParse(song);
  if (!parsed.success) throw new ValidationError(`invalid played song for ${quoteInput(song.ref)}: ${parsed.error.issues[0]?.message}`);
  return song;
}

function parsePlayedSong(text: unknown): PlayedSong | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = playedSongSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as PlayedSong) : null;
  } catch {
    return null;
  }
}

/** Records the song on air (null clears it, e.g. when the station stops); fenced like takeNextSong. */
export async function setNowPlaying(ctx: StoreContext, station: string, song: PlayedSong | null, fence?: Lease): Promise<void> {
  validateName('station', station);
  const json = song === null ? '' : JSON.stringify(validatePlayedSong(song));
  await runScript(ctx, setNowPlayingScript, [keys.stations, keys.nowPlaying(station), keys.lease(station)], [station, json, ...fenceArgs(station, fence)]);
}

export async function getNowPlaying(ctx: StoreContext, station: string): Promise<PlayedSong | null> {
  validateName('station', station);
  const [member, json] = await execAtomic((m) => m.sismember(keys.stations, station).get(keys.nowPlaying(station)), ctx);
  if (asNumber(member) === 0) throw new NotFoundError(`station ${quoteInput(station)} does not exist`);
  return parsePlayedSong(json);
}

/** Adds a played song to the history, keeping the newest HISTORY_LIMIT; fenced like takeNextSong. */
export async function appendHistory(ctx: StoreContext, station: string, song: PlayedSong, fence?: Lease): Promise<void> {
  validateName('station', station);
  const json = JSON.stringify(validatePlayedSong(song));
  await runScript(ctx, appendHistoryScript, [keys.stations, keys.history(station), keys.lease(station)], [
    station,
    json,
    HISTORY_LIMIT,
    ...fenceArgs(station, fence),
  ]);
}

/** The play history, newest first. */
export async function getHistory(ctx: StoreContext, station: string, range?: ListRange): Promise<PlayedSong[]> {
  validateName('station', station);
  const [start, stop] = lrangeBounds(range);
  const [member, entries] = await execAtomic(
    (m) => m.sismember(keys.stations, station).lrange(keys.history(station), start, stop),
    ctx,
  );
  if (asNumber(member) === 0) throw new NotFoundError(`station ${quoteInput(station)} does not exist`);
  return (entries as string[]).map(parsePlayedSong).filter((song): song is PlayedSong => song !== null);
}
