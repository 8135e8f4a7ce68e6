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
  /** Told how long each lookup that reached the relay (or the embedded providers) took, and how it ended. */
  onLookup?: (seconds: number, outcome: LookupOutcome) => void;
}

/** How a lookup past the caches ended: a playable song, a refusal (the song or the relay's answer), or an error thrown. */
export type LookupOutcome = 'ok' | 'refused' | 'error';

export interface ResolveOptions {
  /** Skip cached URLs and ask the relay (after the CDN refused one). */
  readonly fresh?: boolean;
  /**
   * False: the station plays only the song's own audio, never another provider's match (`?match=0`).
   * Default true.
   */
  readonly match?: boolean;
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
 *
 * Stations with the cross-provider match off share the caches with those that have it on, as far as the
 * answers hold for both: the song's own audio and a refusal given with the match on (the match was tried)
 * serve both; audio matched on another provider serves only lookups with the match on; a refusal given
 * with the match off is kept apart, in memory, since with the match on the song may still play.
 */
export class CachedResolver {
  readonly counters: CacheCounters = { relayRequests: 0, hits: 0, misses: 0 };
  private readonly memory: MemoryCache<SongResolution>;
  /** Refusals of lookups made with the match off: not valid for the others, so never in `memory` or Redis. */
  private readonly refusedWithoutMatch: MemoryCache<SongResolution>;
  private readonly now: WallClock;
  private redisFailing = false;
  /** Lookups on their way to the relay, by ref and options: at most one per song preparing now. */
  private readonly inFlight = new Map<string, Promise<SongResolution>>();

  constructor(private readonly options: CachedResolverOptions) {
    this.now = options.now ?? systemWallClock;
    this.memory = new MemoryCache(MEMORY_CACHE_ENTRIES, this.now);
    this.refusedWithoutMatch = new MemoryCache(MEMORY_CACHE_ENTRIES, this.now);
  }

  /** The song with a usable audio URL, or why it cannot be played. */
  async resolve(ref: string, options: ResolveOptions = {}): Promise<SongResolution> {
    const match = options.match !== false;
    if (!options.fresh) {
      const cached = (await this.fromRedis(ref, match)) ?? this.fromMemory(ref, match);
      if (cached) {
        this.counters.hits += 1;
        return cached;
      }
    }
    this.counters.misses += 1;
    // A song prepared twice at once (a short list looping a minute ahead) is asked of the relay once.
    const key = `${match ? 'match' : 'own'}:${options.fresh ? 'fresh' : 'any'}:${ref}`;
    const asking = this.inFlight.get(key);
    if (asking) return asking;
    this.counters.relayRequests += 1;
    const lookup = this.lookUp(ref, match).then(async (resolution) => {
      await this.remember(resolution, match);
      return resolution;
    });
    this.inFlight.set(key, lookup);
    try {
      return await lookup;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async lookUp(ref: string, match: boolean): Promise<SongResolution> {
    const started = this.now();
    const report = this.options.onLookup;
    try {
      const resolution = await this.options.resolver.resolveSong(ref, match ? {} : { match: false });
      report?.((this.now() - started) / 1000, resolution.ok ? 'ok' : 'refused');
      return resolution;
    } catch (error) {
      report?.((this.now() - started) / 1000, 'error');
      throw error;
    }
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
    this.refusedWithoutMatch.deleteWhere(() => true);
  }

  private fromMemory(ref: string, match: boolean): SongResolution | undefined {
    const shared = this.memory.get(ref);
    if (shared && (match || !isMatched(shared))) return shared;
    return match ? undefined : this.refusedWithoutMatch.get(ref);
  }

  private async fromRedis(ref: string, match: boolean): Promise<SongResolution | undefined> {
    const store = this.options.store;
    if (!store) return undefined;
    const found = await this.redis(async () => {
      const unplayable = await store.getUnplayable(ref);
      // Entries written before only the song's own reasons were kept (a relay without a provider, say) are ignored.
      if (unplayable && SONG_UNPLAYABLE_REASONS.has(unplayable.reason)) return failed<UnplayableSong>({ ref, reason: unplayable.reason, retryable: false, message: 'remembered as unplayable' });
      const [meta, audio] = await Promise.all([store.getSongMeta(ref), store.getAudioUrl(ref)]);
      if (!meta || !audio || audio.expiresAt - URL_SAFETY_MARGIN_MS <= this.now()) return undefined;
      if (!match && audio.matchedFrom !== undefined) return undefined;
      return ok(playableFrom(ref, meta, audio));
    });
    return found ?? undefined;
  }

  private async remember(resolution: SongResolution, match: boolean): Promise<void> {
    if (resolution.ok) {
      // Playable answers are tagged (matchedFrom) rather than kept apart: each lookup takes what holds for it.
      const song = resolution.value;
      this.memory.set(song.ref, resolution, Math.min(song.audio.expiresAt - URL_SAFETY_MARGIN_MS - this.now(), MEMORY_META_TTL_MS));
      await this.redis(async () => {
        // A song whose detail call failed plays under its ref: kept for days, that would be its title in
        // every listing. Its URL is still worth storing: with metadata known from before it is a whole hit.
        if (hasMetadata(song)) await this.options.store!.putSongMeta(song.ref, songMetaOf(song));
        await this.options.store!.putAudioUrl(song.ref, audioUrlOf(song), URL_SAFETY_MARGIN_MS);
      });
      return;
    }
    const { ref, reason } = resolution.failure;
    const ttlMs = SONG_UNPLAYABLE_REASONS.has(reason) ? UNPLAYABLE_TTL_MS : BRIEF_REFUSAL_TTL_MS;
    if (!match) {
      // With the match on the relay may still find the song on the other provider: this process alone
      // remembers the refusal, for match-off lookups only.
      this.refusedWithoutMatch.set(ref, resolution, ttlMs);
      return;
    }
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

function playableFrom(ref: string, meta: SongMeta, stored: AudioUrl): PlayableSong {
  const { matchedFrom, matchScore, ...audio } = stored;
  return {
    ref,
    title: meta.title,
    artist: meta.artist,
    artists: [meta.artist],
    album: meta.album ?? null,
    durationMs: meta.durationMs ?? null,
    coverUrl: meta.coverUrl ?? null,
    audio,
    matchedFrom: matchedFrom === undefined ? null : { ref: matchedFrom, score: matchScore ?? 0 },
  };
}

/** The audio URL as Redis keeps it: with the ref whose audio it is when that is not the song's own. */
function audioUrlOf(song: PlayableSong): AudioUrl {
  const { url, format, bitrate, expiresAt } = song.audio;
  return { url, format, bitrate, expiresAt, ...(song.matchedFrom && { matchedFrom: song.matchedFrom.ref, matchScore: song.matchedFrom.score }) };
}

function isMatched(resolution: SongResolution): boolean {
  return resolution.ok && resolution.value.matchedFrom !== null;
}

/**
 * False when the relay knew only the song's audio, not its details: it then names the song by its ref and
 * lists no artists (src/relay/API.md, a failed song-detail call).
 */
function hasMetadata(song: PlayableSong): boolean {
  return !(song.title === song.ref && song.artists.length === 0);
}
