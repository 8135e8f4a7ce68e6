import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, createStore, followEvents, type Store, type StoreEvent } from '../../src/store/index.js';
import { cliAgainst, runCli } from '../support/cli.js';
import { startFakeRelay, unplayableSong, type FakeRelay } from '../support/fake-relay.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;
let store: Store;
let relay: FakeRelay;
let icecast: Server;
let icecastUrl: string;
let icecastBody = '';

const { run: cli, ok } = cliAgainst(() => ({ REDIS_URL: server.url, RELAY_URL: relay.url, RELAY_TOKEN: 't' }));

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url);
  relay = await startFakeRelay({ token: 't', song: (ref) => (ref === 'netease:7' ? unplayableSong(ref, 'trial-only') : undefined) });
  icecast = createServer((req, res) => {
    res.writeHead(req.url === '/status-json.xsl' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(icecastBody);
  });
  await new Promise<void>((resolve) => icecast.listen(0, '127.0.0.1', resolve));
  icecastUrl = `http://127.0.0.1:${(icecast.address() as { port: number }).port}`;
});

afterAll(async () => {
  icecast?.close();
  await relay?.stop();
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushall();
  store = createStore(redis);
  await store.playlists.create('p');
  await store.playlists.add('p', ['netease:1', 'netease:2', 'netease:3']);
});

describe('relaycast station', () => {
  it('creates, lists, changes and removes stations', async () => {
    await ok(['station', 'create', 'jazz', '--mount', '/jazz.mp3', '--playlist', 'p', '--mode', 'shuffle', '--repeat', 'off', '--bitrate', '192', '--ice-name', 'Jazz FM']);
    expect(await ok(['station', 'ls'])).toBe('jazz\t/jazz.mp3\tplaylist p\tshuffle\trepeat off\tmatch on\tloudness -16 LUFS\tcrossfade off\t192 kb/s, 44100 Hz, stereo\n');
    await ok(['station', 'set', 'jazz', 'mode=order', 'repeat=on', 'match=off', 'loudness=-14.5', 'crossfade=4', 'channels=1', 'ice-genre=Jazz', '-q']);
    const [station] = JSON.parse(await ok(['station', 'ls', '--json']));
    expect(station).toEqual({
      name: 'jazz',
      mount: '/jazz.mp3',
      playlist: 'p',
      mode: 'order',
      repeat: true,
      match: false,
      loudness: -14.5,
      crossfade: 4,
      format: { bitrateKbps: 192, sampleRate: 44100, channels: 1 },
      iceName: 'Jazz FM',
      iceDescription: '',
      iceGenre: 'Jazz',
    });
    await ok(['station', 'create', 'talk', '--mount', '/talk.mp3', '--playlist', 'p', '--match', 'off', '--loudness', 'off', '-q']);
    expect(await ok(['station', 'ls'])).toContain('talk\t/talk.mp3\tplaylist p\torder\trepeat on\tmatch off\tloudness off\t');
    await ok(['station', 'set', 'talk', 'loudness=-20', 'crossfade=2.5', '-q']);
    expect(await ok(['station', 'ls'])).toContain('talk\t/talk.mp3\tplaylist p\torder\trepeat on\tmatch off\tloudness -20 LUFS\tcrossfade 2.5 s\t');
    expect(await ok(['now', 'talk'], { env: { ICECAST_URL: `http://127.0.0.1:${await freePort()}` } })).toMatch(/^talk \(\/talk\.mp3, playlist p, loudness -20 LUFS, crossfade 2\.5 s\)\n/);
    await ok(['station', 'set', 'talk', 'crossfade=off', '-q']);
    expect(await ok(['station', 'ls'])).toContain('\tloudness -20 LUFS\tcrossfade off\t');
    await ok(['station', 'rm', 'jazz']);
    await ok(['station', 'rm', 'talk']);
    expect(await ok(['station', 'ls'])).toBe('');
  });

  it('tells a running worker about changes, with --now when asked', async () => {
    const events: StoreEvent[] = [];
    const subscription = followEvents(redis, { onEvent: (event) => events.push(event) });
    await subscription.subscribed;
    await ok(['station', 'create', 's', '--mount', '/s.mp3', '--playlist', 'p']);
    await ok(['station', 'set', 's', 'mode=shuffle', '--now']);
    const skip = await cli(['next', 's']);
    expect(skip).toMatchObject({ code: 0, stdout: 'asked s to skip\n', stderr: '' });
    for (let i = 0; i < 50 && events.length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([
      { type: 'station-changed', station: 's' },
      { type: 'station-changed', station: 's', now: true },
      { type: 'skip', station: 's' },
    ]);
    subscription.close();
  });

  it('warns when no worker listens for a skip', async () => {
    await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
    const result = await cli(['next', 's']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no worker is listening/);
  });
});

describe('relaycast queue', () => {
  beforeEach(async () => {
    await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
    await store.caches.putSongMeta('netease:5', { title: 'Blue in Green', artist: 'Miles Davis', durationMs: 337_000 });
  });

  it('shows with `queue <station>`, edits with subcommands', async () => {
    await ok(['queue', 'add', 's', 'netease:4', 'netease:5']);
    await ok(['queue', 'insert', 's', '-'], { stdin: 'netease:6\nnetease:8\n' });
    expect(await ok(['queue', 's'])).toBe('1. netease:6\n2. netease:8\n3. netease:4\n4. Miles Davis - Blue in Green (5:37)\n');
    expect(await ok(['queue', 'show', 's', '--range', '2:', '-f', '%position% %ref%'])).toBe('3 netease:4\n4 netease:5\n');
    expect(JSON.parse(await ok(['queue', 's', '--json', '--range', '3:4']))).toEqual({
      station: 's',
      songs: [{ position: 4, ref: 'netease:5', title: 'Blue in Green', artist: 'Miles Davis', album: null, durationMs: 337_000 }],
    });
    await ok(['queue', 'del', 's', '1-2']);
    expect(await redis.lrange('relaycast:queue:s', 0, -1)).toEqual(['netease:4', 'netease:5']);
    await ok(['queue', 'clear', 's']);
    expect(await ok(['queue', 's'])).toBe('');
  });

  it('takes the Redis address from --redis given after the subcommand', async () => {
    const result = await runCli(['queue', 'add', 's', 'netease:4', '--redis', server.url]);
    expect(result.code).toBe(0);
    expect(await redis.lrange('relaycast:queue:s', 0, -1)).toEqual(['netease:4']);
  });
});

describe('relaycast now and history', () => {
  beforeEach(async () => {
    await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
    await store.stations.create('t', { mount: '/t.mp3', playlist: 'p' });
    await store.caches.putSongMeta('netease:9', { title: 'So What', artist: 'Miles Davis' });
    await store.queue.add('s', ['netease:9']);
    await store.playback.setNowPlaying('s', {
      ref: 'netease:2',
      title: 'Freddie Freeloader',
      artist: 'Miles Davis',
      startedAt: Date.now() - 60_000,
      durationMs: 240_000,
      source: 'playlist',
      position: 2,
    });
  });

  it('shows the song, a progress bar, next up, and no listeners when Icecast is unreachable', async () => {
    const stdout = await ok(['now', 's'], { env: { ICECAST_URL: `http://127.0.0.1:${await freePort()}` } });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('s (/s.mp3, playlist p, loudness -16 LUFS)');
    expect(lines[1]).toBe('  Miles Davis - Freddie Freeloader');
    expect(lines[2]).toMatch(/^ {2}\[#{7,8}-{22,23}\] 1:0\d\/4:00 {2}playlist position 2$/);
    expect(lines[3]).toBe('  next: Miles Davis - So What (queued)');
    expect(lines[4]).toBe('  listeners: unknown (Icecast not reachable)');
  });

  it('counts listeners from Icecast, whether it lists one source or several', async () => {
    icecastBody = JSON.stringify({ icestats: { source: { listenurl: 'http://localhost:8000/s.mp3', listeners: 7 } } });
    const one = JSON.parse(await ok(['now', 's', '--json', '--icecast', icecastUrl]));
    expect(one).toMatchObject({ station: 's', listeners: 7, playing: { ref: 'netease:2', position: 2 }, next: { ref: 'netease:9', source: 'queue' } });
    expect(one.playing.elapsedMs).toBeGreaterThanOrEqual(60_000);

    icecastBody = JSON.stringify({
      icestats: { source: [{ listenurl: 'http://h:8000/t.mp3', listeners: 2 }, { listenurl: 'http://h:8000/s.mp3', listeners: 3 }] },
    });
    const all = JSON.parse(await ok(['now', '--json'], { env: { ICECAST_URL: icecastUrl } }));
    expect(all.map((report: { station: string; listeners: number; playing: unknown }) => [report.station, report.listeners, report.playing === null])).toEqual([
      ['s', 3, false],
      ['t', 2, true],
    ]);

    icecastBody = '{"icestats": {"source": [ {"title": - } ] }';
    expect(JSON.parse(await ok(['now', 't', '--json', '--icecast', icecastUrl])).listeners).toBeNull();
    icecastBody = JSON.stringify({ icestats: {} });
    expect(await ok(['now', 't', '--icecast', icecastUrl])).toBe('t (/t.mp3, playlist p, loudness -16 LUFS)\n  nothing playing (silent between songs)\n  next: netease:1\n  listeners: 0\n');
  });

  it('shows a station whose song ended long ago as silent, never 1:24/0:25', async () => {
    await store.playback.setNowPlaying('t', { ref: 'netease:3', title: 'Short', artist: 'A', startedAt: Date.now() - 84_000, durationMs: 25_000, source: 'playlist', position: 3 });
    icecastBody = JSON.stringify({ icestats: {} });
    expect(await ok(['now', 't', '--icecast', icecastUrl])).toBe('t (/t.mp3, playlist p, loudness -16 LUFS)\n  nothing playing (silent between songs)\n  next: netease:1\n  listeners: 0\n');
    expect(JSON.parse(await ok(['now', 't', '--json', '--icecast', icecastUrl])).playing).toBeNull();
    await store.playback.setNowPlaying('t', null);
  });

  it('lists the history newest first, with --range, -f and --json', async () => {
    for (let i = 1; i <= 3; i += 1) {
      await store.playback.appendHistory('s', { ref: `netease:${i}`, title: `Song ${i}`, artist: 'A', startedAt: Date.UTC(2024, 0, 1, 12, i), source: 'playlist', position: i });
    }
    expect(await ok(['history', 's', '-f', '%position% %title% %source%'])).toBe('1 Song 3 playlist\n2 Song 2 playlist\n3 Song 1 playlist\n');
    expect(await ok(['history', 's', '--range', '1:2', '-f', '%artist% - %title%'])).toBe('A - Song 2\n');
    const json = JSON.parse(await ok(['history', 's', '--json', '--range', ':1']));
    expect(json).toEqual({ station: 's', songs: [{ index: 1, ref: 'netease:3', title: 'Song 3', artist: 'A', startedAt: Date.UTC(2024, 0, 1, 12, 3), source: 'playlist', position: 3 }] });
    expect(await ok(['history', 's'])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}A - Song 3\n/);
  });
});

describe('relaycast song and cache', () => {
  it('shows a playable song without the signed part of its URL', async () => {
    const stdout = await ok(['song', 'netease:1']);
    expect(stdout).toMatch(/^netease:1\n {2}title: {4}Title of netease:1\n/);
    expect(stdout).toMatch(/playable: yes \(mp3, 320 kb\/s, URL valid for 20 min\)/);
    expect(stdout).not.toMatch(/secret/);
    const json = JSON.parse(await ok(['song', 'netease:1', '--json']));
    expect(json).toMatchObject({ playable: true, ref: 'netease:1', audio: { format: 'mp3' }, loudness: { measured: false } });
    expect(json.audio.url).not.toMatch(/secret/);
    expect(stdout).toMatch(/\n {2}loudness: not measured yet \(a worker measures a song when it transcodes it into its cache\)\n$/);
  });

  it('shows the loudness a worker recorded and the gain each station applies (kept for 30 days)', async () => {
    await store.stations.create('main', { mount: '/main.mp3', playlist: 'p' });
    await store.stations.create('raw', { mount: '/raw.mp3', playlist: 'p', loudness: null });
    await store.caches.putSongLoudness('netease:1', { integratedLufs: -19.3, truePeakDb: -6.2 });
    expect(await redis.pttl('relaycast:song-loudness:netease:1')).toBeGreaterThan(29 * 86_400_000);
    expect(await ok(['song', 'netease:1'])).toMatch(
      /\n {2}loudness: -19\.3 LUFS, true peak -6\.2 dBTP\n {2}gain: {5}\+3\.0 dB for the target -16 LUFS \(main\)\n {12}none, loudness off \(raw\)\n$/,
    );
    expect(JSON.parse(await ok(['song', 'netease:1', '--json'])).loudness).toEqual({
      measured: true,
      integratedLufs: -19.3,
      truePeakDb: -6.2,
      stations: [
        { station: 'main', targetLufs: -16, gainDb: 3 },
        { station: 'raw', targetLufs: null, gainDb: 0 },
      ],
    });
  });

  it('still answers from the relay when Redis cannot be reached: the loudness is unknown, on stderr why', async () => {
    const result = await runCli(['song', 'netease:1'], { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RELAY_URL: relay.url, RELAY_TOKEN: 't' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}loudness: unknown \(Redis could not be reached\)\n$/);
    expect(result.stderr).toMatch(/^relaycast: loudness unknown: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*check --redis \/ REDIS_URL\n$/);
  });

  it('says why a song cannot be played', async () => {
    expect(await ok(['song', 'netease:7'])).toBe('netease:7\n  playable: no: trial-only (netease:7 is trial-only)\n  permanent: will not play until the service changes\n');
  });

  it('reports cache stats and clears only caches', async () => {
    await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
    await store.caches.putSongMeta('netease:1', { title: 'T', artist: 'A' });
    await store.caches.getSongMeta('netease:1');
    await store.caches.getAudioUrl('netease:1');
    await store.caches.putSongLoudness('netease:1', { integratedLufs: -23.5, truePeakDb: -9 });
    await store.caches.putSongLoudness('netease:2', { integratedLufs: -8.25, truePeakDb: 0.4 });
    expect(JSON.parse(await ok(['cache', 'stats', '--json']))).toEqual({
      songMeta: { entries: 1, hits: 1, misses: 0 },
      audioUrl: { entries: 0, hits: 0, misses: 1 },
      unplayable: { entries: 0, hits: 0, misses: 0 },
      loudness: { measured: 2, minLufs: -23.5, medianLufs: -15.875, maxLufs: -8.25, maxTruePeakDb: 0.4 },
    });
    expect(await ok(['cache', 'stats'])).toMatch(/^cache\tentries\thits\tmisses\thit rate\nsong-meta\t1\t1\t0\t100 %\naudio-url\t0\t0\t1\t0 %\n/);
    expect(await ok(['cache', 'stats'])).toMatch(/\n\nloudness: 2 songs measured, -23\.5 to -8\.3 LUFS \(spread 15\.3 LU, median -15\.9 LUFS\), highest true peak 0\.4 dBTP\n$/);
    // Loudness records go with the caches: the workers empty their disk caches and measure the songs again.
    expect(await ok(['cache', 'clear'])).toBe('deleted 3 cache entries\n');
    expect(JSON.parse(await ok(['cache', 'stats', '--json'])).loudness).toEqual({ measured: 0, minLufs: null, medianLufs: null, maxLufs: null, maxTruePeakDb: null });
    expect(await redis.lrange('relaycast:playlist:p', 0, -1)).toHaveLength(3);
    expect(await redis.exists('relaycast:station:s')).toBe(1);
  });
});
