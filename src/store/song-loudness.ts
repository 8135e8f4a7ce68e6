import { z } from 'zod';
import type { SongLoudness } from '../audio/index.js';
import type { StoreContext } from './context.js';
import { ValidationError } from './errors.js';
import { keys, KEY_FAMILIES } from './keys.js';
import { storeCall } from './redis-errors.js';
import type { LoudnessSummary } from './types.js';
import { forEachKeyBatch } from './scan-keys.js';
import { validateSongRef } from './validate.js';

/**
 * How long a song's loudness record lives in Redis. A worker writes it again whenever the song plays from its
 * disk cache (and when a transcode fills the cache), so the bound is "songs played in the last 30 days": one
 * key of ~60 bytes each. A TTL rather than a capped set: each record stands alone, and a song left unplayed that
 * long has most likely been evicted from the disk cache (least recently played first) and will be measured again.
 */
export const SONG_LOUDNESS_TTL_DAYS = 30;
const DAY_MS = 86_400_000;

/** A true peak of -inf (digital silence) has no JSON number: it is stored as null. */
const recordSchema = z.object({ integratedLufs: z.number(), truePeakDb: z.number().nullable() });

export function encodeSongLoudness(loudness: SongLoudness): string {
  return JSON.stringify({ integratedLufs: loudness.integratedLufs, truePeakDb: Number.isFinite(loudness.truePeakDb) ? loudness.truePeakDb : null });
}

/** A record as read back; one that does not parse counts as no record (the next play writes it again). */
export function decodeSongLoudness(text: unknown): SongLoudness | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return null;
    return { integratedLufs: parsed.data.integratedLufs, truePeakDb: parsed.data.truePeakDb ?? -Infinity };
  } catch {
    return null;
  }
}

export function summariseLoudness(songs: readonly SongLoudness[]): LoudnessSummary {
  if (songs.length === 0) return { measured: 0, minLufs: null, medianLufs: null, maxLufs: null, maxTruePeakDb: null };
  const lufs = songs.map((song) => song.integratedLufs).sort((a, b) => a - b);
  const middle = Math.floor(lufs.length / 2);
  const peaks = songs.map((song) => song.truePeakDb).filter(Number.isFinite);
  return {
    measured: songs.length,
    minLufs: lufs[0]!,
    medianLufs: lufs.length % 2 === 1 ? lufs[middle]! : (lufs[middle - 1]! + lufs[middle]!) / 2,
    maxLufs: lufs.at(-1)!,
    maxTruePeakDb: peaks.length === 0 ? null : Math.max(...peaks),
  };
}

/** Records a song's loudness as a worker's transcode measured it (EBU R128), for the CLI on other hosts. */
export async function putSongLoudness(ctx: StoreContext, ref: string, loudness: SongLoudness): Promise<void> {
  validateSongRef(ref);
  if (!Number.isFinite(loudness.integratedLufs)) throw new ValidationError(`invalid loudness for ${ref}: integrated loudness must be a number of LUFS, got ${String(loudness.integratedLufs)}`);
  await storeCall(() => ctx.redis.set(keys.songLoudness(ref), encodeSongLoudness(loudness), 'PX', SONG_LOUDNESS_TTL_DAYS * DAY_MS));
}

/** The song's recorded loudness, or null when no worker has measured it (or not in the last SONG_LOUDNESS_TTL_DAYS). */
export async function getSongLoudness(ctx: StoreContext, ref: string): Promise<SongLoudness | null> {
  validateSongRef(ref);
  return decodeSongLoudness(await storeCall(() => ctx.redis.get(keys.songLoudness(ref))));
}

/** Every record read (SCAN and MGET, a batch at a time) and summarised; the records are bounded by their TTL. */
export async function getLoudnessSummary(ctx: StoreContext): Promise<LoudnessSummary> {
  const songs: SongLoudness[] = [];
  await forEachKeyBatch(ctx, KEY_FAMILIES.songLoudness, async (batch) => {
    for (const text of await storeCall(() => ctx.redis.mget(batch))) {
      const loudness = decodeSongLoudness(text);
      if (loudness) songs.push(loudness);
    }
  });
  return summariseLoudness(songs);
}
