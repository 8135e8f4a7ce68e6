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
