import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { SongResolution } from '../../../src/relay-client/index.js';
import { BRIEF_REFUSAL_TTL_MS, CachedResolver, UNPLAYABLE_TTL_MS, type SongCacheStore } from '../../../src/songs/cached-resolver.js';
import type { AudioUrl, SongMeta } from '../../../src/store/index.js';

/** The Redis calls the resolver makes, kept in maps: what was stored is what the test checks. */
function fakeStore() {
  const metas = new Map<string, SongMeta>();
  const urls = new Map<string, AudioUrl>();
  const unplayable = new Map<string, { reason: string; ttlMs: number }>();
  const store: SongCacheStore = {
    getSongMeta: async (ref) => metas.get(ref) ?? null,
    putSongMeta: async (ref, meta) => void metas.set(ref, meta),
    getAudioUrl: async (ref) => urls.get(ref) ?? null,
    putAudioUrl: async (ref, audio) => (urls.set(ref, audio), true),
    getUnplayable: async (ref) => {
      const entry = unplayable.get(ref);
      return entry ? { reason: entry.reason, at: 0 } : null;
    },
    putUnplayable: async (ref, reason, ttlMs) => void unplayable.set(ref, { reason, ttlMs }),
  };
  return { store, unplayable };
}

function refusing(reason: string, retryable: boolean) {
  const asked: string[] = [];
  const resolver = {
    async resolveSong(ref: string): Promise<SongResolution> {
      asked.push(ref);
      return { playable: false, ref, reason, retryable, message: `refused: ${reason}` };
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
