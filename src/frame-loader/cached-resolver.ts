import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { PlayableSong, SongResolution, UnplayableSong } from '../relay-client/index.js';
import { failed, ok } from '../result.js';
import { songMetaOf, type AudioUrl, type SongMeta, type StoreCaches } from '../store/index.js';
import { MemoryCache } from './memory-cache.js';
import type { SongResolver } from './song-resolver.js';
import { systemWallClock, type WallClock } from '../time/index.js';

/** Audio URLs are forgotten this long before they expire, so a download started from the cache still works. */
export const URL_SAFETY_MARGIN_MS = 90_000;
/** Songs that cannot be broadcast (no rights, trial clip, delisted…) are not asked about again for this long. */
export const UNPLAYABLE_TTL_MS = 6 * 60 * 60 * 1000;
/**
 * The reasons that say the song itself cannot play: remembered (in Redis too) for UNPLAYABLE_TTL_MS. Any
 * other refusal (a provider switched off, rate limits, upstream errors, a file not found) says something
 * about the moment or the setup, which an operator fixes: it is remembered only briefly, in memory.
 */
export const SONG_UNPLAYABLE_REASONS: ReadonlySet<string> = new Set(['no-rights', 'trial-only', 'delisted', 'region-blocked', 'url-refused']);
/** How long a refusal that is not the song's own is remembered, so a station cycling its list does not hammer the relay. */
export const BRIEF_REFUSAL_TTL_MS = 60_000;
/** Songs remembered in memory when Redis is not configured or not reachable. */
export const MEMORY_CACHE_ENTRIES = 2_000;
/** Metadata is kept for days in Redis; in memory it lives as long as its entry does. */
const MEMORY_META_TTL_MS = 24 * 60 * 60 * 1000;

export type SongCacheStore = Pick<StoreCaches, 'getSongMeta' | 'putSongMeta' | 'getAudioUrl' | 'putAudioUrl' | 'getUnplayable' | 'putUnplayable'>;

export interface CachedResolverOptions {
  resolver: SongResolver;
  /** Redis; without it (or while it is down) songs are remembered in memory only. */
  store?: SongCacheStore | undefined;
  logger: Logger;
  now?: WallClock;
}

export interface CacheCounters {
  relayRequests: number;
  hits: number;
  misses: number;
}

/**
 * Resolves songs through Redis first: metadata (days), the audio URL until shortly before it expires, and
 * unplayable songs (hours). The relay is asked only on a miss. Redis trouble never stops a song: the
 * relay answers directly, one log line says so, and Redis is used again as soon as it answers.
 */
export class CachedResolver {
  readonly counters: CacheCounters = { relayRequests: 0, hits: 0, misses: 0 };
  private readonly memory: MemoryCache<SongResolution>;
  private readonly now: WallClock;
  private redisFailing = false;

  constructor(private readonly options: CachedResolverOptions) {
    this.now = options.now ?? systemWallClock;
    this.memory = new MemoryCache(MEMORY_CACHE_ENTRIES, this.now);
  }

  /** The song with a usable audio URL, or why it cannot be played. `fresh` skips cached URLs (after a 403). */
  async resolve(ref: string, options: { fresh?: boolean } = {}): Promise<SongResolution> {
    if (!options.fresh) {
      const cached = (await this.fromRedis(ref)) ?? this.memory.get(ref);
      if (cached) {
        this.counters.hits += 1;
        return cached;
      }
    }
    this.counters.misses += 1;
    this.counters.relayRequests += 1;
    const resolution = await this.options.resolver.resolveSong(ref);
    await this.remember(resolution);
    return resolution;
  }

  /** What is known of a song without asking the relay (its audio may be in the disk cache already). */
  async knownMetadata(ref: string): Promise<SongMeta | undefined> {
    const meta = (await this.redis(() => this.options.store!.getSongMeta(ref))) ?? undefined;
    const remembered = this.memory.get(ref);
    const found = meta ?? (remembered?.ok ? songMetaOf(remembered.value) : undefined);
    if (found) this.counters.hits += 1;
    return found;
  }

  /** Remembers that a song cannot be played although the relay offered it (its URL kept failing). */
  async markUnplayable(ref: string, reason: string, message: string): Promise<void> {
    this.memory.set(ref, failed({ ref, reason, retryable: false, message }), UNPLAYABLE_TTL_MS);
    await this.redis(() => this.options.store!.putUnplayable(ref, reason, UNPLAYABLE_TTL_MS));
  }

  /** Forgets every song remembered as unplayable in this process (after `relaycast cache clear`). */
  forgetUnplayable(): void {
    this.memory.deleteWhere((resolution) => !resolution.ok);
  }

  private async fromRedis(ref: string): Promise<SongResolution | undefined> {
    const store = this.options.store;
    if (!store) return undefined;
    const found = await this.redis(async () => {
      const unplayable = await store.getUnplayable(ref);
      // Entries written before only the song's own reasons were kept (a relay without a provider, say) are ignored.
      if (unplayable && SONG_UNPLAYABLE_REASONS.has(unplayable.reason)) return failed<UnplayableSong>({ ref, reason: unplayable.reason, retryable: false, message: 'remembered as unplayable' });
      const [meta, audio] = await Promise.all([store.getSongMeta(ref), store.getAudioUrl(ref)]);
      if (!meta || !audio || audio.expiresAt - URL_SAFETY_MARGIN_MS <= this.now()) return undefined;
      return ok(playableFrom(ref, meta, audio));
    });
    return found ?? undefined;
  }

  private async remember(resolution: SongResolution): Promise<void> {
    if (resolution.ok) {
      const song = resolution.value;
      this.memory.set(song.ref, resolution, Math.min(song.audio.expiresAt - URL_SAFETY_MARGIN_MS - this.now(), MEMORY_META_TTL_MS));
      await this.redis(async () => {
        await this.options.store!.putSongMeta(song.ref, songMetaOf(song));
        await this.options.store!.putAudioUrl(song.ref, song.audio, URL_SAFETY_MARGIN_MS);
      });
      return;
    }
    const { ref, reason } = resolution.failure;
    if (SONG_UNPLAYABLE_REASONS.has(reason)) {
      this.memory.set(ref, resolution, UNPLAYABLE_TTL_MS);
      await this.redis(() => this.options.store!.putUnplayable(ref, reason, UNPLAYABLE_TTL_MS));
    } else {
      this.memory.set(ref, resolution, BRIEF_REFUSAL_TTL_MS);
    }
  }

  /** Runs a Redis call; on failure logs once per outage and returns undefined so the caller goes on without it. */
  private async redis<T>(call: () => Promise<T>): Promise<T | undefined> {
    if (!this.options.store) return undefined;
    try {
      const result = await call();
      if (this.redisFailing) this.options.logger.info('Redis answers again: song caching resumed');
      this.redisFailing = false;
      return result;
    } catch (error) {
      if (!this.redisFailing) this.options.logger.warn({ err: describeError(error) }, 'Redis unreachable: resolving songs without it until it is back');
      this.redisFailing = true;
      return undefined;
    }
  }
}

function playableFrom(ref: string, meta: SongMeta, audio: AudioUrl): PlayableSong {
  return { ref, title: meta.title, artist: meta.artist, artists: [meta.artist], album: meta.album ?? null, durationMs: meta.durationMs ?? null, coverUrl: null, audio };
}
