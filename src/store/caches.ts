import { z } from 'zod';
import { withoutControlChars } from '../control-chars.js';
import { asNumber, execAtomic, runScript, type StoreContext } from './context.js';
import { ValidationError } from './errors.js';
import type { StoreEvent } from './events.js';
import { CACHE_FAMILIES, EVENTS_CHANNEL, keys, type CacheName } from './keys.js';
import { countedGetScript } from './lua/small-scripts.js';
import { storeCall } from './redis-errors.js';
import { forEachKeyBatch, SCAN_BATCH } from './scan-keys.js';
import { getLoudnessSummary } from './song-loudness.js';
import { optionalCoverUrl } from './song-meta.js';
import type { AudioUrl, CacheStats, SongMeta, Unplayable } from './types.js';
import { validateSongRef } from './validate.js';

/** Song display data changes rarely; listings and the worker's metadata share it for this long. */
export const SONG_META_TTL_DAYS = 30;
const DAY_MS = 86_400_000;
/** Longest unplayable reason kept; reasons come from the relay and are shown to admins. */
const MAX_REASON_LENGTH = 500;

const songMetaSchema = z.object({
  title: z.string(),
  artist: z.string(),
  album: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  coverUrl: optionalCoverUrl,
});
const audioUrlSchema = z.object({
  url: z.string().min(1),
  format: z.string(),
  bitrate: z.number().nullable(),
  expiresAt: z.number(),
  matchedFrom: z.string().min(1).optional(),
  matchScore: z.number().optional(),
});
const unplayableSchema = z.object({ reason: z.string(), at: z.number() });

/** A cached value that no longer parses counts as absent: the cache refills it. */
function parseCached<T>(schema: z.ZodType<T>, text: unknown): T | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function countedGet(ctx: StoreContext, cache: CacheName, key: string): Promise<unknown> {
  return runScript(ctx, countedGetScript, [key, keys.cacheStats], [cache]);
}

export async function getSongMeta(ctx: StoreContext, ref: string): Promise<SongMeta | null> {
  validateSongRef(ref);
  return parseCached(songMetaSchema, await countedGet(ctx, 'song-meta', keys.songMeta(ref))) as SongMeta | null;
}

export async function putSongMeta(ctx: StoreContext, ref: string, meta: SongMeta): Promise<void> {
  validateSongRef(ref);
  const parsed = songMetaSchema.safeParse(meta);
  if (!parsed.success) throw new ValidationError(`invalid song meta for ${ref}: ${parsed.error.issues[0]?.message}`);
  await storeCall(() => ctx.redis.set(keys.songMeta(ref), JSON.stringify(parsed.data), 'PX', SONG_META_TTL_DAYS * DAY_MS));
}

/** Display data of many songs at once (for listings; not counted in the cache stats). */
export async function getSongMetas(ctx: StoreContext, refs: readonly string[]): Promise<Map<string, SongMeta>> {
  const unique = [...new Set(refs)];
  const found = new Map<string, SongMeta>();
  for (let i = 0; i < unique.length; i += SCAN_BATCH) {
    const batch = unique.slice(i, i + SCAN_BATCH);
    const values = await storeCall(() => ctx.redis.mget(batch.map((ref) => keys.songMeta(ref))));
    batch.forEach((ref, j) => {
      const meta = parseCached(songMetaSchema, values[j]);
      if (meta) found.set(ref, meta as SongMeta);
    });
  }
  return found;
}

/**
 * Caches a resolved audio URL until `safetyMarginMs` before it expires, so nothing starts a download
 * with a URL about to die. Returns false (and stores nothing) when that moment has already passed.
 */
export async function putAudioUrl(ctx: StoreContext, ref: string, audio: AudioUrl, safetyMarginMs: number): Promise<boolean> {
  validateSongRef(ref);
  const parsed = audioUrlSchema.safeParse(audio);
  if (!parsed.success) throw new ValidationError(`invalid audio URL entry for ${ref}: ${parsed.error.issues[0]?.message}`);
  const ttlMs = Math.floor(audio.expiresAt - ctx.now() - safetyMarginMs);
  if (ttlMs <= 0) return false;
  await storeCall(() => ctx.redis.set(keys.audioUrl(ref), JSON.stringify(parsed.data), 'PX', ttlMs));
  return true;
}

export async function getAudioUrl(ctx: StoreContext, ref: string): Promise<AudioUrl | null> {
  validateSongRef(ref);
  return parseCached(audioUrlSchema, await countedGet(ctx, 'audio-url', keys.audioUrl(ref))) as AudioUrl | null;
}

/** Remembers for `ttlMs` that a song cannot be played, so the worker skips it fast. */
export async function putUnplayable(ctx: StoreContext, ref: string, reason: string, ttlMs: number): Promise<void> {
  validateSongRef(ref);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new ValidationError(`unplayable TTL must be a positive integer of ms, got ${ttlMs}`);
  const clean = withoutControlChars(reason);
  const entry: Unplayable = { reason: clean.slice(0, MAX_REASON_LENGTH), at: ctx.now() };
  await storeCall(() => ctx.redis.set(keys.unplayable(ref), JSON.stringify(entry), 'PX', ttlMs));
}

export async function getUnplayable(ctx: StoreContext, ref: string): Promise<Unplayable | null> {
  validateSongRef(ref);
  return parseCached(unplayableSchema, await countedGet(ctx, 'unplayable', keys.unplayable(ref)));
}

async function countEntries(ctx: StoreContext, prefix: string): Promise<number> {
  let count = 0;
  await forEachKeyBatch(ctx, prefix, async (batch) => {
    count += batch.length;
  });
  return count;
}

export async function getCacheStats(ctx: StoreContext): Promise<CacheStats> {
  const [counters] = await execAtomic((m) => m.hgetall(keys.cacheStats), ctx);
  const stat = (cache: CacheName, outcome: 'hit' | 'miss') =>
    asNumber((counters as Record<string, string>)[`${cache}:${outcome}`] ?? 0);
  const entry = async (cache: CacheName) => ({
    entries: await countEntries(ctx, CACHE_FAMILIES[cache]),
    hits: stat(cache, 'hit'),
    misses: stat(cache, 'miss'),
  });
  return {
    songMeta: await entry('song-meta'),
    audioUrl: await entry('audio-url'),
    unplayable: await entry('unplayable'),
    loudness: await getLoudnessSummary(ctx),
  };
}

/**
 * Deletes the caches and their counters; never playlists, stations or queues. Returns entries deleted.
 * Then publishes `cache-cleared`, so running workers drop their own copies too (see events.ts).
 */
export async function clearCaches(ctx: StoreContext): Promise<number> {
  let deleted = 0;
  for (const prefix of Object.values(CACHE_FAMILIES)) {
    await forEachKeyBatch(ctx, prefix, async (batch) => {
      deleted += await storeCall(() => ctx.redis.unlink(...batch));
    });
  }
  await storeCall(() => ctx.redis.del(keys.cacheStats));
  const event: StoreEvent = { type: 'cache-cleared' };
  await storeCall(() => ctx.redis.publish(EVENTS_CHANNEL, JSON.stringify(event)));
  return deleted;
}
