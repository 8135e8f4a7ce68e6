import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, upcomingTitle, type Listener } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

const SONGS = ['one', 'two', 'three', 'four', 'five', 'extra'] as const;
const ref = (name: string) => `local:${name}.m4a`;
const title = (name: string) => `Live - ${name}`;

/**
 * The CLI as an admin uses it, against a running worker: every command is the built binary in its own
 * process, the worker is `relaycast start`, and a real listener reads the mount.
 */
describe('admins drive a running station from the CLI', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;
  let events: Redis;
  const skipsSeen: number[] = [];
  const stationChangesSeen: number[] = [];

  const { ok } = cliAgainst(() => ({ REDIS_URL: redis.url, RELAY_URL: relay.url, RELAY_TOKEN: relay.token, ICECAST_URL: icecast.url }));
  const cli = (...args: string[]) => ok(args);
  const startTheWorker = async () => {
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      relay: { url: relay.url, token: relay.token },
      redis: { url: redis.url },
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    });
  };
  const titlesOf = (listener: Listener) => listener.titles.map((seen) => seen.title).filter(Boolean);

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('cli-live');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    // Long songs: only the admins' commands change what plays during a test.
    await Promise.all(SONGS.map((name, index) => makeTone({ path: join(music, `${name}.m4a`), seconds: 40, frequency: 300 + 60 * index, format: 'm4a', title: name, artist: 'Live' })));
    [icecast, redis, relay] = await Promise.all([startIcecast(), startRedis(), startRelay(music)]);
    events = redis.client();
    await events.subscribe(EVENTS_CHANNEL);
    events.on('message', (_channel, message: string) => {
      const type = JSON.parse(message).type;
      if (type === 'skip') skipsSeen.push(performance.now());
      if (type === 'station-changed') stationChangesSeen.push(performance.now());
    });
    await startTheWorker();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    await temp?.remove();
  });

  it('starts streaming a new station within 2 s of `station create`', async () => {
    await cli('playlist', 'create', 'main');
    await cli('playlist', 'add', 'main', ...['one', 'two', 'three', 'four'].map(ref));
    await cli('station', 'create', 'live', '--mount', '/live.mp3', '--playlist', 'main');
    await icecast.waitForMount('/live.mp3', 5_000);
    // From the moment the edit is published (the CLI's own start-up is not the worker's doing).
    expect(performance.now() - stationChangesSeen.at(-1)!).toBeLessThan(2_000);
  });

  it('`next` puts the next song on air: the new title reaches a listener within 500 ms of the skip', async () => {
    const listener = await listen(`${icecast.url}/live.mp3`, { icyMetadata: true });
    await listener.waitForTitle((seen) => seen === title('one'), 20_000);
    // Let the next song be prepared, as it is a few seconds into any song.
    await worker!.waitForEvent((event) => event.msg === 'ffmpeg started' && event.song === ref('two'), 20_000);
    const arrival = upcomingTitle(listener, title('two'), 5_000);
    await cli('next', 'live');
    const arrived = await arrival;
    expect(arrived.at - skipsSeen.at(-1)!).toBeLessThan(500);
    expect(titlesOf(listener).slice(-2)).toEqual([title('one'), title('two')]);
    listener.close();
  });

  it('`queue insert` plays the song next; a playlist edit applies from the song after the current one', async () => {
    const listener = await listen(`${icecast.url}/live.mp3`, { icyMetadata: true });
    await listener.waitForTitle((seen) => seen === title('two'), 10_000);
    await cli('queue', 'insert', 'live', ref('extra'));
    let arrival = upcomingTitle(listener, title('extra'), 10_000);
    await cli('next', 'live');
    await arrival;
    // After the queue, the playlist goes on where it was: three. Put five right after it.
    await cli('playlist', 'insert', 'main', '4', ref('five'));
    arrival = upcomingTitle(listener, title('three'), 10_000);
    await cli('next', 'live');
    await arrival;
    arrival = upcomingTitle(listener, title('five'), 10_000);
    await cli('next', 'live');
    await arrival;
    // A new listener first gets Icecast's burst, older audio with the title it had then: judge what follows.
    const titles = titlesOf(listener);
    expect(titles.slice(titles.lastIndexOf(title('two')))).toEqual([title('two'), title('extra'), title('three'), title('five')]);
    listener.close();
    const now = JSON.parse(await cli('now', 'live', '--json'));
    expect(JSON.stringify(now)).toContain(ref('five'));
  });

  it('a restarted worker resumes with the next song and keeps the queue', async () => {
    const listener = await listen(`${icecast.url}/live.mp3`, { icyMetadata: true });
    await cli('queue', 'add', 'live', ref('one'), ref('two'));
    const queueBefore = await cli('queue', 'live', '--json');
    await worker!.stop('SIGKILL');
    expect(await cli('queue', 'live', '--json')).toBe(queueBefore);
    await startTheWorker();
    // Without a fallback mount Icecast ends the listeners of a source that died: a new one tunes in.
    await listener.waitForDisconnect(10_000);
    await icecast.waitForMount('/live.mp3', 10_000);
    const again = await listen(`${icecast.url}/live.mp3`, { icyMetadata: true });
    await again.waitForTitle(Boolean, 20_000);
    expect(titlesOf(again)[0]).toBe(title('one'));
    again.close();
    expect(JSON.stringify(JSON.parse(await cli('queue', 'live', '--json')))).toContain(ref('two'));
    expect(JSON.stringify(JSON.parse(await cli('queue', 'live', '--json')))).not.toContain(ref('one'));
    listener.close();
  });

  it('`station rm` takes the mount down cleanly', async () => {
    const listener = await listen(`${icecast.url}/live.mp3`);
    await cli('station', 'rm', 'live');
    const gone = await listener.waitForDisconnect(5_000);
    expect(gone.reason).not.toBe('error');
    // Icecast's status page drops the mount a moment after the source has gone.
    let mounts: string[] = ['/live.mp3'];
    for (let poll = 0; poll < 50 && mounts.includes('/live.mp3'); poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      mounts = (await icecast.status()).sources.map((source) => source.mount);
    }
    expect(mounts).not.toContain('/live.mp3');
    expect(worker!.events.some((event) => event.msg === 'stopping the station' && event.station === 'live')).toBe(true);
  });
});
