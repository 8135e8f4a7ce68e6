import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { RelayUnavailableError, type PlayableSong, type SongResolution } from '../../../src/relay-client/index.js';
import {
  BRIEF_REFUSAL_TTL_MS,
  CachedResolver,
  UNPLAYABLE_TTL_MS,
  URL_SAFETY_MARGIN_MS,
  type SongCacheStore,
} from '../../../src/frame-loader/cached-resolver.js';
import type { AudioUrl, SongMeta } from '../../../src/store/index.js';
import { failed, ok } from '../../../src/result.js';
import { captureLog } from '../../support/icecast.js';

/**
 * The Redis calls the resolver makes, kept in maps: what was stored is what the test checks. `down` makes
 * every call fail as Redis away does.
 */
function fakeStore() {
  const metas = new Map<string, SongMeta>();
  const urls = new Map<string, AudioUrl>();
  const margins = new Map<string, number>();
  const unplayable = new Map<string, { reason: string; ttlMs: number }>();
  const state = { down: false };
  const answer = <T>(value: T): Promise<T> => (state.down ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve(value));
  const store: SongCacheStore = {
    getSongMeta: (ref) => answer(metas.get(ref) ?? null),
    putSongMeta: (ref, meta) => answer(void metas.set(ref, meta)),
    getAudioUrl: (ref) => answer(urls.get(ref) ?? null),
    putAudioUrl: (ref, audio, safetyMarginMs) => answer((urls.set(ref, audio), margins.set(ref, safetyMarginMs), true)),
    getUnplayable: (ref) => {
      const entry = unplayable.get(ref);
      return answer(entry ? { reason: entry.reason, at: 0 } : null);
    },
    putUnplayable: (ref, reason, ttlMs) => answer(void unplayable.set(ref, { reason, ttlMs })),
  };
  return { store, state, metas, urls, margins, unplayable };
}

function refusing(reason: string, retryable: boolean) {
  const asked: string[] = [];
  const resolver = {
    async resolveSong(ref: string): Promise<SongResolution> {
      asked.push(ref);
      return failed({ ref, reason, retryable, message: `refused: ${reason}` });
    },
  };
  return { resolver, asked };
}

describe('CachedResolver failure memory', () => {
  it.each(['no-rights', 'trial-only', 'delisted', 'region-blocked'])('remembers "%s" in Redis for hours: the song itself cannot play', async (reason) => {
    const { store, unplayable } = fakeStore();
    const { resolver, asked } = refusing(reason, false);
    const cached = new CachedResolver({ resolver, store, logger: silentLogger() });
    await cached.resolve('qq:abc');
    await cached.resolve('qq:abc');
    expect(unplayable.get('qq:abc')).toEqual({ reason, ttlMs: UNPLAYABLE_TTL_MS });
    expect(asked).toHaveLength(1);
  });

  it.each([
    ['provider-disabled', false],
    ['provider-disabled', true],
    ['upstream-error', true],
    ['rate-limited', true],
    ['not-found', false],
  ])('never stores "%s" (retryable %s) as unplayable, and asks again after a short while', async (reason, retryable) => {
    let time = 1_000_000;
    const { store, unplayable } = fakeStore();
    const { resolver, asked } = refusing(reason, retryable);
    const cached = new CachedResolver({ resolver, store, logger: silentLogger(), now: () => time });
    await cached.resolve('qq:abc');
    await cached.resolve('qq:abc');
    expect(asked).toHaveLength(1);
    time += BRIEF_REFUSAL_TTL_MS + 1;
    await cached.resolve('qq:abc');
    expect(asked).toHaveLength(2);
    expect(unplayable.size).toBe(0);
  });

  it('ignores an unplayable entry in Redis whose reason is not the song\'s own (left by an older worker)', async () => {
    const { store, unplayable } = fakeStore();
    unplayable.set('qq:abc', { reason: 'provider-disabled', ttlMs: UNPLAYABLE_TTL_MS });
    const { resolver, asked } = refusing('no-rights', false);
    await new CachedResolver({ resolver, store, logger: silentLogger() }).resolve('qq:abc');
    expect(asked).toEqual(['qq:abc']);
  });

  it('forgets what it remembered in memory when the caches are cleared', async () => {
    const { resolver, asked } = refusing('no-rights', false);
    const cached = new CachedResolver({ resolver, logger: silentLogger() });
    await cached.resolve('qq:abc');
    cached.forgetUnplayable();
    await cached.resolve('qq:abc');
    expect(asked).toHaveLength(2);
  });
});

const START = 1_000_000;
const URL_LIFE_MS = 20 * 60_000;

function song(ref: string, expiresAt: number): PlayableSong {
  return {
    ref,
    title: `Title of ${ref}`,
    artist: 'Someone',
    artists: ['Someone'],
    album: 'An album',
    durationMs: 180_000,
    coverUrl: null,
    audio: { url: `https://cdn.example/${ref}.m4a`, format: 'm4a', bitrate: 128_000, expiresAt },
    matchedFrom: null,
  };
}

/** A relay that offers every song with a URL living URL_LIFE_MS from `now()`, or fails with `failure` when set. */
function playing(now: () => number) {
  const asked: string[] = [];
  const state: { failure?: Error } = {};
  const resolver = {
    async resolveSong(ref: string): Promise<SongResolution> {
      asked.push(ref);
      if (state.failure) throw state.failure;
      return ok(song(ref, now() + URL_LIFE_MS));
    },
  };
  return { resolver, asked, state };
}

function setup(options: { redis?: boolean } = {}) {
  const clock = { time: START };
  const now = () => clock.time;
  const redis = fakeStore();
  const relay = playing(now);
  const log = captureLog();
  const cached = new CachedResolver({ resolver: relay.resolver, store: options.redis === false ? undefined : redis.store, logger: createLogger({ destination: log }), now });
  return { cached, clock, redis, relay, log };
}

describe('CachedResolver playable songs', () => {
  it('asks the relay once, then answers from Redis with the metadata and URL it stored', async () => {
    const { cached, redis, relay } = setup();
    const first = await cached.resolve('qq:abc');
    expect(redis.metas.get('qq:abc')).toEqual({ title: 'Title of qq:abc', artist: 'Someone', album: 'An album', durationMs: 180_000 });
    expect(redis.urls.get('qq:abc')).toEqual(first.ok && first.value.audio);
    expect(redis.margins.get('qq:abc')).toBe(URL_SAFETY_MARGIN_MS);
    const again = await cached.resolve('qq:abc');
    expect(again).toMatchObject({ ok: true, value: { title: 'Title of qq:abc', audio: { url: 'https://cdn.example/qq:abc.m4a' } } });
    expect(relay.asked).toEqual(['qq:abc']);
    expect(cached.counters).toEqual({ relayRequests: 1, hits: 1, misses: 1 });
  });

  it('does not hand out a stored URL that expires within the safety margin: the relay is asked for a new one', async () => {
    const { cached, clock, relay } = setup();
    await cached.resolve('qq:abc');
    clock.time += URL_LIFE_MS - URL_SAFETY_MARGIN_MS - 1;
    await cached.resolve('qq:abc');
    expect(relay.asked).toHaveLength(1);
    clock.time += 1;
    const renewed = await cached.resolve('qq:abc');
    expect(relay.asked).toHaveLength(2);
    expect(renewed.ok && renewed.value.audio.expiresAt).toBe(clock.time + URL_LIFE_MS);
  });

  it('without Redis keeps the URL in memory until the same safety margin', async () => {
    const { cached, clock, relay } = setup({ redis: false });
    await cached.resolve('qq:abc');
    clock.time += URL_LIFE_MS - URL_SAFETY_MARGIN_MS - 1;
    await cached.resolve('qq:abc');
    expect(relay.asked).toHaveLength(1);
    clock.time += 1;
    await cached.resolve('qq:abc');
    expect(relay.asked).toHaveLength(2);
  });

  it('asks the relay again when told the cached URL was refused (fresh)', async () => {
    const { cached, relay } = setup();
    await cached.resolve('qq:abc');
    await cached.resolve('qq:abc', { fresh: true });
    expect(relay.asked).toEqual(['qq:abc', 'qq:abc']);
  });

  it('remembers nothing when the relay fails, so the next play asks again', async () => {
    const { cached, redis, relay } = setup();
    relay.state.failure = new RelayUnavailableError('the relay did not answer', { url: 'http://relay.invalid/v1/songs' });
    await expect(cached.resolve('qq:abc')).rejects.toBe(relay.state.failure);
    delete relay.state.failure;
    await expect(cached.resolve('qq:abc')).resolves.toMatchObject({ ok: true });
    expect(relay.asked).toHaveLength(2);
    expect(redis.unplayable.size).toBe(0);
  });

  it('knows a song\'s metadata from Redis or memory without asking the relay, and nothing of an unknown song', async () => {
    const { cached, redis, relay } = setup();
    redis.metas.set('qq:stored', { title: 'Stored', artist: 'B' });
    expect(await cached.knownMetadata('qq:stored')).toEqual({ title: 'Stored', artist: 'B' });
    expect(await cached.knownMetadata('qq:unknown')).toBeUndefined();
    await cached.resolve('qq:abc');
    redis.metas.clear();
    expect(await cached.knownMetadata('qq:abc')).toMatchObject({ title: 'Title of qq:abc' });
    expect(relay.asked).toEqual(['qq:abc']);
  });

  it('remembers a song whose URL kept failing as unplayable for hours, in Redis and in memory', async () => {
    const { cached, redis, relay } = setup();
    await cached.markUnplayable('qq:abc', 'url-refused', 'the CDN answered 403 twice');
    expect(redis.unplayable.get('qq:abc')).toEqual({ reason: 'url-refused', ttlMs: UNPLAYABLE_TTL_MS });
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: false, failure: { reason: 'url-refused' } });
    redis.unplayable.clear();
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: false, failure: { reason: 'url-refused' } });
    expect(relay.asked).toEqual([]);
  });
});

describe('CachedResolver while Redis is away', () => {
  it('resolves through the relay and memory, warns once per outage, and says when Redis answers again', async () => {
    const { cached, redis, relay, log } = setup();
    redis.state.down = true;
    await expect(cached.resolve('qq:abc')).resolves.toMatchObject({ ok: true });
    await expect(cached.resolve('qq:abc')).resolves.toMatchObject({ ok: true });
    await expect(cached.resolve('qq:def')).resolves.toMatchObject({ ok: true });
    expect(relay.asked).toEqual(['qq:abc', 'qq:def']);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual(['Redis unreachable: resolving songs without it until it is back']);
    redis.state.down = false;
    await cached.resolve('qq:ghi');
    expect(log.lines.filter((line) => line.level === 'info').map((line) => line.msg)).toEqual(['Redis answers again: song caching resumed']);
    expect(redis.urls.has('qq:ghi')).toBe(true);
  });

  it('still remembers a song that cannot play, in memory', async () => {
    const { cached, redis } = setup();
    redis.state.down = true;
    await cached.markUnplayable('qq:abc', 'url-refused', 'refused twice');
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: false, failure: { reason: 'url-refused' } });
  });
});

/**
 * A relay whose `qq:abc` its provider refuses for rights: with the match on it answers with netease:9's
 * audio under the asked song's metadata (matchedFrom), with `match: false` it answers the refusal.
 * `direct` makes it answer the song's own audio either way; `refuse` refuses either way.
 */
function matchingRelay(now: () => number) {
  const asked: { ref: string; match: boolean }[] = [];
  const state = { direct: false, refuse: false };
  const resolver = {
    async resolveSong(ref: string, options: { match?: boolean } = {}): Promise<SongResolution> {
      const match = options.match !== false;
      asked.push({ ref, match });
      const own = song(ref, now() + URL_LIFE_MS);
      if (state.direct) return ok(own);
      if (state.refuse || !match) return failed({ ref, reason: 'no-rights', retryable: false, message: 'no rights on qq' });
      return ok({ ...own, audio: { ...own.audio, url: 'https://cdn.example/netease-9.mp3' }, matchedFrom: { ref: 'netease:9', score: 0.95 } });
    },
  };
  return { resolver, asked, state };
}

function matchSetup(options: { redis?: boolean } = {}) {
  const clock = { time: START };
  const now = () => clock.time;
  const redis = fakeStore();
  const relay = matchingRelay(now);
  const cached = new CachedResolver({ resolver: relay.resolver, store: options.redis === false ? undefined : redis.store, logger: silentLogger(), now });
  return { cached, clock, redis, relay };
}

describe('CachedResolver with the cross-provider match on and off', () => {
  it.each([true, false])('never serves a matched answer to a lookup with the match off (Redis %s)', async (withRedis) => {
    const { cached, redis, relay } = matchSetup({ redis: withRedis });
    const matched = await cached.resolve('qq:abc');
    expect(matched).toMatchObject({ ok: true, value: { ref: 'qq:abc', matchedFrom: { ref: 'netease:9', score: 0.95 } } });
    if (withRedis) expect(redis.urls.get('qq:abc')).toMatchObject({ url: 'https://cdn.example/netease-9.mp3', matchedFrom: 'netease:9', matchScore: 0.95 });
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    // The matched answer still serves the lookups that allow it, from the cache.
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: true, value: { matchedFrom: { ref: 'netease:9' } } });
    expect(relay.asked).toEqual([
      { ref: 'qq:abc', match: true },
      { ref: 'qq:abc', match: false },
    ]);
  });

  it('keeps a refusal given with the match off out of Redis and out of the shared memory, remembering it apart for match-off lookups', async () => {
    const { cached, clock, redis, relay } = matchSetup();
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    expect(redis.unplayable.size).toBe(0);
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false });
    expect(relay.asked).toHaveLength(1);
    // A station with the match on is not told the song cannot play: it asks, and the match plays.
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: true, value: { matchedFrom: { ref: 'netease:9' } } });
    expect(relay.asked).toEqual([
      { ref: 'qq:abc', match: false },
      { ref: 'qq:abc', match: true },
    ]);
    // …and the matched answer now cached does not hide the refusal from match-off lookups.
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    expect(relay.asked).toHaveLength(2);
    clock.time += UNPLAYABLE_TTL_MS + 1;
    await cached.resolve('qq:abc', { match: false });
    expect(relay.asked).toHaveLength(3);
  });

  it('serves a refusal given with the match on to match-off lookups too: the match was tried', async () => {
    const { cached, redis, relay } = matchSetup();
    relay.state.refuse = true;
    await cached.resolve('qq:abc');
    expect(redis.unplayable.get('qq:abc')).toEqual({ reason: 'no-rights', ttlMs: UNPLAYABLE_TTL_MS });
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    redis.unplayable.clear();
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: false, failure: { reason: 'no-rights' } });
    expect(relay.asked).toEqual([{ ref: 'qq:abc', match: true }]);
  });

  it.each([true, false])('serves the song\'s own audio to lookups with the match on and off alike (first asked with match %s)', async (firstMatch) => {
    const { cached, redis, relay } = matchSetup();
    relay.state.direct = true;
    await cached.resolve('qq:abc', { match: firstMatch });
    expect(redis.urls.get('qq:abc')).not.toHaveProperty('matchedFrom');
    expect(await cached.resolve('qq:abc', { match: !firstMatch })).toMatchObject({ ok: true, value: { matchedFrom: null, audio: { url: 'https://cdn.example/qq:abc.m4a' } } });
    redis.urls.clear();
    expect(await cached.resolve('qq:abc', { match: !firstMatch })).toMatchObject({ ok: true, value: { matchedFrom: null } });
    expect(relay.asked).toEqual([{ ref: 'qq:abc', match: firstMatch }]);
  });

  it('reads audio URL entries written before matching existed (no matchedFrom) as the song\'s own', async () => {
    const { cached, redis, relay } = matchSetup();
    redis.metas.set('qq:abc', { title: 'Old', artist: 'B' });
    redis.urls.set('qq:abc', { url: 'https://cdn.example/old.m4a', format: 'm4a', bitrate: null, expiresAt: START + URL_LIFE_MS });
    expect(await cached.resolve('qq:abc', { match: false })).toMatchObject({ ok: true, value: { title: 'Old', matchedFrom: null } });
    expect(relay.asked).toEqual([]);
  });

  it('forgets the match-off refusals too when the caches are cleared', async () => {
    const { cached, relay } = matchSetup();
    await cached.resolve('qq:abc', { match: false });
    cached.forgetUnplayable();
    await cached.resolve('qq:abc', { match: false });
    expect(relay.asked).toHaveLength(2);
  });
});

describe('CachedResolver and answers without metadata', () => {
  /** What the relay answers when the song-detail call failed but the audio URL worked: the ref as title, no artists. */
  function bare(ref: string, expiresAt: number): PlayableSong {
    return { ...song(ref, expiresAt), title: ref, artist: '', artists: [], album: null, durationMs: null };
  }

  it('does not keep a title that is only the ref for days, but keeps the audio URL', async () => {
    const { cached, clock, redis, relay } = setup();
    relay.resolver.resolveSong = async (ref) => (relay.asked.push(ref), ok(bare(ref, clock.time + URL_LIFE_MS)));
    expect(await cached.resolve('qq:abc')).toMatchObject({ ok: true, value: { title: 'qq:abc' } });
    expect(redis.metas.has('qq:abc')).toBe(false);
    expect(redis.urls.get('qq:abc')).toMatchObject({ url: 'https://cdn.example/qq:abc.m4a' });
  });

  it('plays the stored URL under the metadata known from before', async () => {
    const { cached, clock, redis, relay } = setup({ redis: true });
    redis.metas.set('qq:abc', { title: 'Known title', artist: 'Known artist' });
    relay.resolver.resolveSong = async (ref) => (relay.asked.push(ref), ok(bare(ref, clock.time + URL_LIFE_MS)));
    await cached.resolve('qq:abc', { fresh: true });
    expect(redis.metas.get('qq:abc')).toEqual({ title: 'Known title', artist: 'Known artist' });
    const again = new CachedResolver({ resolver: relay.resolver, store: redis.store, logger: silentLogger(), now: () => clock.time });
    expect(await again.resolve('qq:abc')).toMatchObject({ ok: true, value: { title: 'Known title', audio: { url: 'https://cdn.example/qq:abc.m4a' } } });
    expect(relay.asked).toEqual(['qq:abc']);
  });
});

describe('CachedResolver and cover images', () => {
  const COVER = 'https://p2.music.126.net/zE8AlLt_Fm1BT8LRROIXgg==/109951162949487525.jpg';

  /** setup() with a relay whose answers carry `coverUrl`. */
  function withCover(coverUrl: string | null) {
    const state = setup();
    state.relay.resolver.resolveSong = async (ref) => (state.relay.asked.push(ref), ok({ ...song(ref, state.clock.time + URL_LIFE_MS), coverUrl }));
    return state;
  }

  it('keeps the cover the relay answered with the metadata, and gives it back from Redis in a later process', async () => {
    const { cached, clock, redis, relay } = withCover(COVER);
    expect(await cached.resolve('netease:1')).toMatchObject({ ok: true, value: { coverUrl: COVER } });
    expect(redis.metas.get('netease:1')).toEqual({ title: 'Title of netease:1', artist: 'Someone', album: 'An album', durationMs: 180_000, coverUrl: COVER });
    const restarted = new CachedResolver({ resolver: relay.resolver, store: redis.store, logger: silentLogger(), now: () => clock.time });
    expect(await restarted.resolve('netease:1')).toMatchObject({ ok: true, value: { coverUrl: COVER } });
    expect(await restarted.knownMetadata('netease:1')).toMatchObject({ coverUrl: COVER });
    expect(relay.asked).toEqual(['netease:1']);
  });

  it('reads a metadata entry stored without a cover (before covers were kept) as a song without one', async () => {
    const { cached, redis, relay } = withCover(COVER);
    redis.metas.set('netease:1', { title: 'Old', artist: 'B' });
    redis.urls.set('netease:1', { url: 'https://cdn.example/old.mp3', format: 'mp3', bitrate: null, expiresAt: START + URL_LIFE_MS });
    expect(await cached.resolve('netease:1')).toMatchObject({ ok: true, value: { title: 'Old', coverUrl: null } });
    expect(relay.asked).toEqual([]);
  });

  it.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', '/covers/1.jpg', 'ftp://covers.example/1.jpg'])('keeps no cover that is not an http(s) URL (%s)', async (coverUrl) => {
    const { cached, redis } = withCover(coverUrl);
    await cached.resolve('netease:1');
    expect(redis.metas.get('netease:1')).not.toHaveProperty('coverUrl');
  });
});
