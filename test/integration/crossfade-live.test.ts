import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { decodeMp3, decodePcm } from '../support/decode.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, upcomingTitle } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { tonePowers } from '../support/tone-power.js';
import { wholeFrames } from '../support/whole-frames.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

const SONGS = [
  { name: 'one', frequency: 300 },
  { name: 'two', frequency: 420 },
  { name: 'three', frequency: 540 },
] as const;
const ref = (name: string) => `local:${name}.m4a`;
const title = (name: string) => `Xf - ${name}`;
const SAMPLE_RATE = 44100;
const BYTES_PER_SECOND = 16_000;
const WINDOW_SECONDS = 0.05;
/** The skipped song's fade (0.3 s) before the next song's first frame, and the 500 ms a skip has to be heard. */
const TITLE_AFTER_SKIP_MS = 800;

/**
 * Crossfade on a stored station, set from the CLI while the worker plays it, and `next` fading the song out:
 * a real worker, relay, Redis and Icecast, a real listener whose audio is decoded.
 */
describe('crossfade set from the CLI on a running station', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;
  let events: Redis;
  const skipsSeen: number[] = [];
  const { ok } = cliAgainst(() => ({ REDIS_URL: redis.url, RELAY_URL: relay.url, RELAY_TOKEN: relay.token, ICECAST_URL: icecast.url }));
  const cli = (...args: string[]) => ok(args);

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('crossfade-live');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    await Promise.all(SONGS.map((song) => makeTone({ path: join(music, `${song.name}.m4a`), seconds: 20, frequency: song.frequency, format: 'm4a', title: song.name, artist: 'Xf' })));
    [icecast, redis, relay] = await Promise.all([startIcecast(), startRedis(), startRelay(music)]);
    events = redis.client();
    await events.subscribe(EVENTS_CHANNEL);
    events.on('message', (_channel, message: string) => {
      if (JSON.parse(message).type === 'skip') skipsSeen.push(performance.now());
    });
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: relay.url, token: relay.token },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    events?.disconnect();
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    await temp?.remove();
  });

  it('crossfades from the next join after `station set crossfade=3`, and `next` fades the song out before the next one', async () => {
    await cli('playlist', 'create', 'main');
    await cli('playlist', 'add', 'main', ...SONGS.map((song) => ref(song.name)));
    await cli('station', 'create', 'xf', '--mount', '/xf.mp3', '--playlist', 'main', '--loudness', 'off');
    await icecast.waitForMount('/xf.mp3', 10_000);
    const listener = await listen(`${icecast.url}/xf.mp3`, { icyMetadata: true });
    await listener.waitForTitle((seen) => seen === title('one'), 20_000);
    await cli('station', 'set', 'xf', 'crossfade=3', '-q');
    const joined = await worker!.waitForEvent((event) => event.msg === 'crossfade ready' && event.from === ref('one') && event.to === ref('two'), 30_000);
    expect(Number(joined.seconds)).toBeGreaterThanOrEqual(3);
    await upcomingTitle(listener, title('two'), 20_000);
    // Let the song after it be prepared, as it is a few seconds into any song.
    await worker!.waitForEvent((event) => event.msg === 'ffmpeg started' && event.song === ref('three'), 20_000);

    const arrival = upcomingTitle(listener, title('three'), 5_000);
    await cli('next', 'xf');
    const arrived = await arrival;
    expect(arrived.at - skipsSeen.at(-1)!).toBeLessThan(TITLE_AFTER_SKIP_MS);
    await listener.waitForBytes(listener.byteCount + 2 * BYTES_PER_SECOND, 10_000);
    listener.close();

    // In the audio: song two's level falls by 10 dB or more over the fade, then song three starts.
    const audio = await wholeFrames(listener.audio());
    expect((await decodeMp3(audio)).errors).toEqual([]);
    const pcm = await decodePcm(audio, SAMPLE_RATE);
    const from = Math.max(0, arrived.audioOffset / BYTES_PER_SECOND - 4);
    const windows = tonePowers(pcm.subarray(Math.round(from * SAMPLE_RATE)), SAMPLE_RATE, WINDOW_SECONDS, [SONGS[1].frequency, SONGS[2].frequency]);
    const threeStarts = windows.findIndex(([two, three]) => three! > 100 * two! && three! > 0);
    expect(threeStarts, 'song three heard after the skip').toBeGreaterThan(12);
    const db = (power: number) => 10 * Math.log10(Math.max(power, 1e-12));
    // A quarter cosine over 0.3 s: loud most of the way, then down fast; each 50 ms no louder than the one before.
    const fade = windows.slice(threeStarts - 8, threeStarts).map(([two]) => db(two!));
    for (const [index, level] of fade.slice(1).entries()) expect(level, `fade window ${index + 1}: ${fade.map((value) => value.toFixed(1)).join(', ')}`).toBeLessThanOrEqual(fade[index]! + 1);
    expect(fade.at(-1)!, `the fade's windows: ${fade.map((value) => value.toFixed(1)).join(', ')}`).toBeLessThan(fade[0]! - 10);
    expect(worker!.events.filter((event) => event.msg === 'crossfade failed')).toEqual([]);
  }, 120_000);
});
