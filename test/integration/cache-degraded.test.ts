import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMp3 } from '../support/decode.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';
import { fillUp, mountTmpfs } from '../support/tmpfs.js';
import { wholeFrames } from '../support/whole-frames.js';
import { spawnWorker, startWorker, type LogEvent, type WorkerProcess } from '../support/worker-process.js';

/** Four songs of 4 s: ~64 KiB each at 128 kb/s, so a 200 KiB disk holds two or three before it is full. */
const SONGS = [
  { name: 'alpha', frequency: 440 },
  { name: 'bravo', frequency: 550 },
  { name: 'charlie', frequency: 660 },
  { name: 'delta', frequency: 770 },
];
const SONG_SECONDS = 4;
/** The whole list once and the first song again, on a loaded machine. */
const LIST_TIMEOUT_MS = 45_000;
/** Between songs the station plays on: a failing cache write must not show up as a gap (issue 12 measured 1.9 s). */
const MAX_GAP_SEC = 0.5;
const CACHE_UNAVAILABLE = 'audio cache unavailable: songs play without being cached';
const DOWNLOADS_MOVED = 'cannot keep downloads in the cache folder: using a temp folder instead';

describe('a cache folder that is full or read-only: the station plays on, the worker says so once', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let music: string;
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server', 'mount', 'umount');
    temp = await makeTempDir('cache-degraded');
    music = join(temp.dir, 'music');
    await mkdir(music);
    [icecast] = await Promise.all([
      startIcecast(),
      ...SONGS.map((song) =>
        makeTone({ path: join(music, `${song.name}.m4a`), seconds: SONG_SECONDS, frequency: song.frequency, format: 'm4a', title: song.name, artist: 'Disk' }),
      ),
    ]);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await icecast?.stop();
    await temp?.remove();
  });

  /** A tmpfs as CACHE_DIR, unmounted after the test (after the worker has stopped). */
  async function cacheDisk(name: string, options: { sizeKb: number; readOnly?: boolean }): Promise<string> {
    const dir = join(temp.dir, name);
    await mkdir(dir);
    const tmpfs = mountTmpfs(dir, options);
    cleanups.push(() => tmpfs.unmount());
    return dir;
  }

  async function playFiles(mount: string, cacheDir: string): Promise<WorkerProcess> {
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      cacheDir,
      stations: [{ name: 'disk', mount, songs: SONGS.map((song) => join(music, `${song.name}.m4a`)) }],
    });
    cleanups.push(() => worker.stop('SIGKILL'));
    return worker;
  }

  /** Listens to the whole list and the first song again; the longest silence between the first and the last music. */
  async function listenToTheList(mount: string): Promise<{ titles: string[]; longestGapSec: number }> {
    await icecast.waitForMount(mount, 10_000);
    const listener = await listen(`${icecast.url}${mount}`, { icyMetadata: true });
    cleanups.push(() => listener.close());
    await listener.waitForTitle(() => listener.titles.filter((seen) => seen.title).length > SONGS.length, LIST_TIMEOUT_MS);
    listener.close();
    expect(listener.disconnected?.reason ?? 'closed by the test').toBe('closed by the test');
    const decoded = await decodeMp3(await wholeFrames(listener.audio()), { minSilenceSec: 0.05 });
    expect(decoded.errors).toEqual([]);
    const firstMusic = decoded.silences[0]?.start === 0 ? decoded.silences[0].end : 0;
    const gaps = decoded.silences.filter((silence) => silence.start > firstMusic + 0.01 && silence.end < decoded.durationSec - 0.05);
    return { titles: listener.titles.map((seen) => seen.title).filter(Boolean), longestGapSec: Math.max(0, ...gaps.map((gap) => gap.duration)) };
  }

  const warnings = (worker: WorkerProcess, msg: string): LogEvent[] => worker.events.filter((event) => event.level === 'warn' && event.msg === msg);

  it('plays from a full 200 KiB disk without gaps, with one warning for the cache and one for downloads', async () => {
    const cacheDir = await cacheDisk('full', { sizeKb: 200 });
    await fillUp(cacheDir);
    const worker = await playFiles('/disk-full.mp3', cacheDir);
    const heard = await listenToTheList('/disk-full.mp3');
    expect(heard.titles.slice(0, SONGS.length + 1)).toEqual([...SONGS, SONGS[0]!].map((song) => `Disk - ${song.name}`));
    expect(heard.longestGapSec).toBeLessThanOrEqual(MAX_GAP_SEC);
    expect(warnings(worker, CACHE_UNAVAILABLE).map((event) => event.condition)).toEqual(['ENOSPC']);
    expect(warnings(worker, DOWNLOADS_MOVED).map((event) => event.condition)).toEqual(['ENOSPC']);
    expect(worker.events.filter((event) => event.msg.startsWith('song not cached'))).toEqual([]);
  });

  it('plays on without gaps when the disk fills up while songs are cached, and warns once, not per song', async () => {
    const cacheDir = await cacheDisk('filling', { sizeKb: 200 });
    const worker = await playFiles('/disk-filling.mp3', cacheDir);
    const heard = await listenToTheList('/disk-filling.mp3');
    expect(heard.longestGapSec).toBeLessThanOrEqual(MAX_GAP_SEC);
    // Some songs fit before the disk is full; the first that does not is the one warning.
    expect(warnings(worker, CACHE_UNAVAILABLE).map((event) => event.condition)).toEqual(['ENOSPC']);
    expect(worker.events.filter((event) => event.msg.startsWith('song not cached'))).toEqual([]);
  });

  it('streams with Redis and a read-only CACHE_DIR instead of hanging, and stops cleanly', async () => {
    const cacheDir = await cacheDisk('read-only', { sizeKb: 1024, readOnly: true });
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      redis: { url: redis.url },
      musicDir: music,
      cacheDir,
      stations: [{ name: 'ro', mount: '/disk-ro.mp3', songs: [join(music, 'alpha.m4a'), join(music, 'bravo.m4a')] }],
    });
    cleanups.push(() => worker.stop('SIGKILL'));
    await icecast.waitForMount('/disk-ro.mp3', 10_000);
    const listener = await listen(`${icecast.url}/disk-ro.mp3`, { icyMetadata: true });
    cleanups.push(() => listener.close());
    await listener.waitForTitle((title) => title === 'Disk - bravo', LIST_TIMEOUT_MS);
    listener.close();
    const decoded = await decodeMp3(await wholeFrames(listener.audio()), { minSilenceSec: 0.05 });
    const silent = decoded.silences.reduce((sum, silence) => sum + silence.duration, 0);
    expect(decoded.durationSec - silent).toBeGreaterThan(SONG_SECONDS / 2); // music, not only silence frames
    expect(warnings(worker, CACHE_UNAVAILABLE).map((event) => event.condition)).toEqual(['EROFS']);
    expect(warnings(worker, DOWNLOADS_MOVED).map((event) => event.condition)).toEqual(['EROFS']);
    expect((await worker.stop()).code).toBe(0);
  });
});

describe('relaycast start with a Redis URL it cannot use', () => {
  for (const url of ['redis://:99999', 'redis://127.0.0.1:0', 'foo://x']) {
    it(`exits non-zero within 5 s with one line on stderr naming the setting (${url})`, async () => {
      const worker = spawnWorker(['start'], { ICECAST_SOURCE_PASSWORD: 'x', STATION_NAME: 'm', STATION_MOUNT: '/m.mp3', REDIS_URL: url, LOG_LEVEL: 'info' });
      const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
      // From the worker's first log line when it gets that far (a URL the config rejects stops it before any).
      const startedAt = await worker
        .waitForEvent((event) => event.msg === 'worker starting', 5_000)
        .then(() => performance.now())
        .catch(() => worker.spawnedAt);
      const code = await exited;
      expect(performance.now() - startedAt).toBeLessThan(5_000);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      const lines = worker.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^relaycast: config: .*REDIS_URL.*: /);
      await worker.stop();
    });
  }
});
