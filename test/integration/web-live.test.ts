import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL } from '../../src/store/index.js';
import type { StationView } from '../../src/web/index.js';
import { cliAgainst } from '../support/cli.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { requireCjkFont, requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { openSse } from '../support/sse-client.js';
import { makeTempDir } from '../support/tmp.js';
import { spawnWorker, startWorker, type WorkerProcess } from '../support/worker-process.js';

/** Debian's chromium (apt-get install chromium): playwright-core drives it, no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
// The README's docs/station-page.png is refreshed only on request (SCREENSHOT_TO_DOCS=1): a test run leaves the tree clean.
const SCREENSHOT = process.env.SCREENSHOT_TO_DOCS === '1' ? join(REPO_ROOT, 'docs', 'station-page.png') : join(tmpdir(), `relaycast-station-page-${process.pid}.png`);

// CJK titles: the page must render them (UTF-8 end to end, from the file's tags to the browser).
const SONGS = [
  { file: 'one', title: '晴天' },
  { file: 'two', title: '告白气球' },
  { file: 'three', title: 'Three' },
  { file: 'four', title: 'Four' },
] as const;
const ARTIST = '周杰伦';
const ref = (file: string) => `local:${file}.m4a`;
/** What the test reads of the page's <audio> (this project's TypeScript has no DOM types). */
interface MediaState {
  readonly paused: boolean;
  readonly readyState: number;
  readonly currentTime: number;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `relaycast web` as built, against a real worker streaming to a real Icecast: the API shows what plays, an
 * event stream and the station page in a real browser follow a `relaycast next` within 2 s.
 */
describe('relaycast web follows a live station', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;
  let web: WorkerProcess | undefined;
  let base: string;
  let events: Redis;
  const skipsSeen: number[] = [];

  const { ok } = cliAgainst(() => ({ REDIS_URL: redis.url, RELAY_URL: relay.url, RELAY_TOKEN: relay.token, ICECAST_URL: icecast.url }));
  const cli = (...args: string[]) => ok(args);
  const station = async (): Promise<StationView> => (await fetch(`${base}/api/stations/live`)).json() as Promise<StationView>;
  /** Waits until the worker has the song after `current` ready, so that a skip switches at once. */
  const nextSongPrepared = (file: string) => worker!.waitForEvent((event) => event.msg === 'ffmpeg started' && event.song === ref(file), 30_000);
  /** `relaycast next live`; returns performance.now() when its skip event was published. */
  const skip = async (): Promise<number> => {
    const before = skipsSeen.length;
    await cli('next', 'live');
    for (let poll = 0; poll < 50 && skipsSeen.length === before; poll += 1) await sleep(20);
    expect(skipsSeen.length).toBeGreaterThan(before);
    return skipsSeen.at(-1)!;
  };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('web-live');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    // Long songs: only `relaycast next` changes what plays during a test.
    await Promise.all(
      SONGS.map((song, index) =>
        makeTone({ path: join(music, `${song.file}.m4a`), seconds: 60, frequency: 330 + 110 * index, format: 'm4a', title: song.title, artist: ARTIST }),
      ),
    );
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
    await cli('playlist', 'create', 'main');
    await cli('playlist', 'add', 'main', ...SONGS.map((song) => ref(song.file)));
    await cli('station', 'create', 'live', '--mount', '/live.mp3', '--playlist', 'main');
    const port = await freePort();
    web = spawnWorker(['web'], { REDIS_URL: redis.url, WEB_PORT: String(port), ICECAST_URL: icecast.url, ICECAST_PUBLIC_URL: icecast.url });
    await web.waitForEvent((event) => event.msg === 'web listening', 10_000);
    base = `http://127.0.0.1:${port}`;
    await icecast.waitForMount('/live.mp3', 10_000);
  });

  afterAll(async () => {
    await web?.stop();
    await worker?.stop('SIGKILL');
    await Promise.all([icecast?.stop(), redis?.stop(), relay?.stop()]);
    await temp?.remove();
  });

  it('the API answers the song playing, the next one, the stream URL and the listeners', async () => {
    let view = await station();
    for (let poll = 0; poll < 100 && view.playing?.title !== SONGS[0].title; poll += 1) {
      await sleep(200);
      view = await station();
    }
    expect(view).toMatchObject({
      name: 'live',
      mount: '/live.mp3',
      streamUrl: `${icecast.url}/live.mp3`,
      playing: { ref: ref('one'), title: '晴天', artist: ARTIST },
      next: { ref: ref('two'), title: '告白气球' },
    });
    expect(view.playing!.durationMs).toBeGreaterThan(59_000);
    expect(typeof view.listeners).toBe('number');
  });

  it('an event stream receives the new song within 2 s of `relaycast next`', async () => {
    const client = await openSse(`${base}/api/stations/live/events`);
    try {
      const first = await client.next((message) => message.event === 'now-playing', 5_000, 0);
      expect(JSON.parse(first.data).playing.title).toBe(SONGS[0].title);
      await nextSongPrepared('two');
      const arrival = client.next((message) => message.event === 'now-playing' && JSON.parse(message.data).playing?.title === SONGS[1].title, 5_000);
      const skippedAt = await skip();
      const arrived = await arrival;
      expect(arrived.at - skippedAt).toBeLessThan(2_000);
      expect(JSON.parse(arrived.data).history[0].title).toBe(SONGS[1].title);
    } finally {
      client.close();
    }
  });

  it('in a real browser the station page plays the stream and shows the next song within 2 s of `relaycast next`', async () => {
    requirePrograms('chromium');
    if (!existsSync(CHROMIUM)) throw new Error(`missing ${CHROMIUM}: run \`npm test\` or apt-get install -y chromium`);
    requireCjkFont();
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
      // A phone's width: the page must fit it.
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      // The list of stations links to the station's page.
      await page.goto(`${base}/`);
      await page.getByRole('link', { name: 'live' }).waitFor({ timeout: 5_000 });
      expect(await page.locator('#stations li').first().textContent()).toContain(SONGS[1].title);
      await page.goto(`${base}/live`);
      await page.locator('#title').filter({ hasText: SONGS[1].title }).waitFor({ timeout: 5_000 });
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator('#title').getAttribute('lang')).toBe('zh');

      // The keyboard: Tab to the play button (past the one link), Enter presses it.
      const play = page.getByRole('button', { name: 'Play' });
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await play.evaluate((button) => button.matches(':focus-visible'))).toBe(true);
      await page.keyboard.press('Enter');
      const audio = page.locator('audio');
      const media = () => audio.evaluate((element) => {
        const { paused, readyState, currentTime } = element as unknown as MediaState;
        return { paused, readyState, currentTime };
      });
      // The element's own `playing` event, recorded by the page once it fires.
      await audio.evaluate((element) => new Promise<void>((resolve, reject) => {
        const state = element as unknown as MediaState & { addEventListener(type: string, listener: () => void): void };
        if (!state.paused && state.readyState >= 3) resolve();
        else state.addEventListener('playing', () => resolve());
        setTimeout(() => reject(new Error('the audio element did not reach "playing" within 15 s')), 15_000);
      }));
      const startedAt = (await media()).currentTime;
      await sleep(1_500);
      const now = await media();
      expect(now.paused).toBe(false);
      const later = now.currentTime;
      expect(later - startedAt).toBeGreaterThan(0.8);
      expect(await page.getByRole('button', { name: 'Stop' }).getAttribute('aria-pressed')).toBe('true');

      // No horizontal scrolling on a phone.
      expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
      await mkdir(join(REPO_ROOT, 'docs'), { recursive: true });

      await nextSongPrepared('three');
      const skippedAt = await skip();
      await page.locator('#title').filter({ hasText: SONGS[2].title }).waitFor({ timeout: 5_000 });
      const shownAt = performance.now();
      expect(shownAt - skippedAt).toBeLessThan(2_000);
      // The worker records now-playing and history in two writes: the page may show the title a poll before the
      // history has the song, so wait for it (bounded) rather than read it at once.
      await page.locator('#history li').first().filter({ hasText: SONGS[2].title }).waitFor({ timeout: 3_000 });
      expect(await page.locator('#history li').first().textContent()).toContain(SONGS[2].title);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(failures).toEqual([]);
    } finally {
      await browser?.close();
    }
  });
});
