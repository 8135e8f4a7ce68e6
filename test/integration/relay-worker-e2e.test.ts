import { mkdir, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMp3 } from '../support/decode.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis } from '../support/redis.js';
import { startRelay } from '../support/relay-process.js';
import { freePort } from '../support/ports.js';
import { makeTempDir } from '../support/tmp.js';
import { MAX_PREPARING } from '../../src/station/programme.js';
import { createStore } from '../../src/store/index.js';
import { wholeFrames } from '../support/whole-frames.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

/** Distinct tones, so a listener can tell the songs apart; titles carry the song's letter. */
const SONGS = ['alpha', 'bravo', 'charlie', 'delta'] as const;

describe('relay → worker → Icecast → listener', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let musicDir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    icecast = await startIcecast();
    temp = await makeTempDir('relay-e2e');
    musicDir = join(temp.dir, 'music');
    await mkdir(musicDir);
    await Promise.all(
      SONGS.map((name, index) =>
        makeTone({ path: join(musicDir, `${name}.m4a`), seconds: 3, frequency: 330 + 110 * index, format: 'm4a', title: name.toUpperCase(), artist: 'Relay Test' }),
      ),
    );
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  afterAll(async () => {
    await icecast?.stop();
    await temp?.remove();
  });

  /** A relay, optionally behind a fault proxy that the worker and its downloads go through. */
  async function setup(options: { mount: string; songs: readonly string[]; proxy?: (relayPort: number) => Promise<FaultProxy> }) {
    const relayPort = await freePort();
    const proxy = options.proxy ? await options.proxy(relayPort) : undefined;
    if (proxy) cleanups.push(() => proxy.close());
    const relay = await startRelay(musicDir, { port: relayPort, ...(proxy ? { publicUrl: `${proxy.url}/` } : {}) });
    cleanups.push(() => relay.stop());
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const cacheDir = join(temp.dir, `cache-${options.mount.slice(1)}`);
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: proxy?.url ?? relay.url, token: relay.token },
      redis: { url: redis.url },
      cacheDir,
      logLevel: 'debug',
      stations: [{ name: options.mount.slice(1).replace(/\W/g, '-'), mount: options.mount, songs: options.songs.map((name) => `local:${name}.m4a`) }],
    });
    cleanups.push(() => worker.stop('SIGKILL'));
    await icecast.waitForMount(options.mount, 10_000);
    const listener = await listen(`${icecast.url}${options.mount}`, { icyMetadata: true });
    cleanups.push(async () => listener.close());
    return { relay, proxy, redis, worker, listener };
  }

  const titlesOf = (listener: Listener) => listener.titles.map((seen) => seen.title).filter(Boolean);
  const waitForTitles = (listener: Listener, count: number, timeoutMs: number) =>
    listener.waitForTitle(() => titlesOf(listener).length >= count, timeoutMs);
  const ffmpegRuns = (worker: WorkerProcess) => worker.events.filter((event) => event.msg === 'ffmpeg started').length;

  it('plays the songs in order with titles; the second loop asks the relay nothing and runs no ffmpeg', async () => {
    const { relay, worker, listener } = await setup({ mount: '/loop.mp3', songs: ['alpha', 'bravo', 'charlie'] });
    await waitForTitles(listener, 3, 30_000);
    const runsAfterFirstLoop = ffmpegRuns(worker);
    await waitForTitles(listener, 7, 30_000);

    expect(titlesOf(listener).slice(0, 7)).toEqual(['Relay Test - ALPHA', 'Relay Test - BRAVO', 'Relay Test - CHARLIE', 'Relay Test - ALPHA', 'Relay Test - BRAVO', 'Relay Test - CHARLIE', 'Relay Test - ALPHA']);
    expect(Object.fromEntries(relay.songRequests())).toEqual({ 'local:alpha.m4a': 1, 'local:bravo.m4a': 1, 'local:charlie.m4a': 1 });
    expect(runsAfterFirstLoop).toBeLessThanOrEqual(3);
    expect(ffmpegRuns(worker)).toBe(3);
    expect(worker.events.filter((event) => event.msg === 'playing the song from the audio cache').length).toBeGreaterThanOrEqual(3);
    expect(listener.disconnected).toBeUndefined();
  });

  it('detects a truncated cache file, drops it and makes it again while the station plays on', async () => {
    const { worker, listener } = await setup({ mount: '/damaged.mp3', songs: ['alpha', 'bravo'] });
    // Both songs cached once the first loop is over (bravo's entry is committed when it ends).
    await waitForTitles(listener, 3, 30_000);
    const audioDir = join(temp.dir, 'cache-damaged.mp3', 'audio');
    const entries = (await readdir(audioDir)).filter((name) => name.endsWith('.rcaf'));
    expect(entries).toHaveLength(2);
    const runsBefore = ffmpegRuns(worker);
    for (const name of entries) {
      const path = join(audioDir, name);
      await truncate(path, Math.floor((await stat(path)).size / 2));
    }
    await waitForTitles(listener, 5, 30_000);

    expect(titlesOf(listener).slice(0, 5)).toEqual(['Relay Test - ALPHA', 'Relay Test - BRAVO', 'Relay Test - ALPHA', 'Relay Test - BRAVO', 'Relay Test - ALPHA']);
    expect(worker.events.some((event) => event.msg === 'cached song is damaged: removed it, transcoding again')).toBe(true);
    expect(ffmpegRuns(worker)).toBeGreaterThan(runsBefore);
    expect(listener.disconnected).toBeUndefined();
  });

  it('leaves no silence between songs with a relay answering after 5 s and a CDN at 1 MB/s', async () => {
    const slow = (relayPort: number) =>
      startFaultProxy(relayPort, {
        delayMs: (path) => (path.startsWith('/v1/songs/') ? 5_000 : 0),
        bytesPerSecond: (path) => (path.startsWith('/v1/files/') ? 1_000_000 : undefined),
      });
    const long = ['alpha', 'bravo', 'charlie'];
    await Promise.all(long.map((name, index) => makeTone({ path: join(musicDir, `long-${name}.m4a`), seconds: 8, frequency: 300 + 150 * index, format: 'm4a', title: `Long ${name}` })));
    const { listener } = await setup({ mount: '/slow.mp3', songs: long.map((name) => `long-${name}`), proxy: slow });
    await waitForTitles(listener, 3, 40_000);
    await listener.waitForBytes(listener.byteCount + 16_000 * 4, 10_000);
    listener.close();

    expect(titlesOf(listener)).toEqual(['Long alpha', 'Long bravo', 'Long charlie']);
    const decoded = await decodeMp3(await wholeFrames(listener.audio()));
    expect(decoded.errors).toEqual([]);
    // Leading silence is the first song being resolved; after that, nothing.
    const afterFirstMusic = decoded.silences.filter((silence) => silence.start > 0.05 && silence.end < decoded.durationSec - 0.05);
    expect(afterFirstMusic).toEqual([]);
  });

  it('keeps the mount up while the relay is down and plays new songs once it is back', async () => {
    const { relay, worker, listener } = await setup({ mount: '/outage.mp3', songs: [...SONGS] });
    await waitForTitles(listener, 1, 20_000);
    // The outage begins once alpha, bravo and charlie are whole in the cache: what is prepared before it must
    // play through it. Killed any sooner (a loaded CI machine), a song still being fetched is skipped instead.
    const cachedSongs = () => worker.events.filter((event) => event.msg === 'song cached').length;
    await worker.waitForEvent(() => cachedSongs() >= 3, 20_000);
    await relay.kill();
    const beforeOutage = titlesOf(listener).length;
    // Songs already prepared still play; then silence while the next one cannot be resolved.
    await listener.waitForBytes(listener.byteCount + 16_000 * 8, 15_000);
    await relay.start();
    await waitForTitles(listener, beforeOutage + 2, 30_000);
    expect(listener.disconnected).toBeUndefined();
    const titles = titlesOf(listener);
    expect(titles.slice(0, 4)).toEqual(SONGS.map((name) => `Relay Test - ${name.toUpperCase()}`).slice(0, Math.min(4, titles.length)));
  });

  it('re-resolves an audio URL answering 403 once, then skips the song and remembers it', async () => {
    // Every audio URL the relay hands out for bravo answers 403, as an expired CDN URL does.
    const refusedPaths = new Set<string>();
    const refuseBravo = (relayPort: number) =>
      startFaultProxy(relayPort, {
        observeJson: (path, body) => {
          const url = (body as { audio?: { url?: string } }).audio?.url;
          if (path.includes('bravo') && url) refusedPaths.add(new URL(url).pathname);
        },
        refuseWith: (path) => (refusedPaths.has(path) ? 403 : undefined),
      });
    const { relay, worker, redis, listener } = await setup({ mount: '/refused.mp3', songs: ['alpha', 'bravo', 'charlie'], proxy: refuseBravo });
    await waitForTitles(listener, 4, 40_000);

    expect(titlesOf(listener).slice(0, 4)).toEqual(['Relay Test - ALPHA', 'Relay Test - CHARLIE', 'Relay Test - ALPHA', 'Relay Test - CHARLIE']);
    // Once, and once more fresh, per preparation of bravo begun before it was known refused (two are
    // prepared at once); once remembered, never again.
    const asked = relay.songRequests().get('local:bravo.m4a') ?? 0;
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(2 * MAX_PREPARING);
    await waitForTitles(listener, 6, 40_000);
    expect(relay.songRequests().get('local:bravo.m4a')).toBe(asked);
    const skipped = worker.events.filter((event) => event.msg === 'song skipped: it could not be played' && event.song === 'local:bravo.m4a');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(String(skipped[0]!.err)).toMatch(/403/);
    const client = redis.client();
    expect(await createStore(client).caches.getUnplayable('local:bravo.m4a')).toMatchObject({ reason: 'url-refused' });
  });

  it('keeps the listener connected while Redis is stopped and restarted', async () => {
    const { redis, listener, worker } = await setup({ mount: '/redis.mp3', songs: ['alpha', 'bravo', 'charlie'] });
    await waitForTitles(listener, 1, 20_000);
    await redis.kill();
    await listener.waitForBytes(listener.byteCount + 16_000 * 4, 10_000);
    await redis.start();
    await waitForTitles(listener, 4, 30_000);
    expect(listener.disconnected).toBeUndefined();
    expect(worker.events.some((event) => event.msg.startsWith('Redis unreachable'))).toBe(true);
  });
});
