import { createServer, type Server, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/cli-error.js';
import { createStore } from '../../src/store/index.js';
import { cliAgainst, runCli, type RunCliOptions } from '../support/cli.js';
import { startFakeRelay, type FakeRelay } from '../support/fake-relay.js';
import { freePort } from '../support/ports.js';
import { dumpRedis, startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;
let relay: FakeRelay;
let closedPort: number;
let hanging: Server;
let hangingPort: number;
const sockets = new Set<Socket>();

const { run: cli } = cliAgainst(() => ({ REDIS_URL: server.url, RELAY_URL: relay.url, RELAY_TOKEN: 'secret' }));

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  relay = await startFakeRelay({ token: 'secret' });
  closedPort = await freePort();
  // A server that accepts connections and never answers: Redis or a relay stuck, not down.
  hanging = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingPort = (hanging.address() as { port: number }).port;

  const store = createStore(redis);
  await store.playlists.create('p');
  await store.playlists.add('p', ['netease:1', 'netease:2', 'netease:3']);
  await store.playlists.create('other');
  await store.stations.create('s', { mount: '/s.mp3', playlist: 'p' });
  await store.queue.add('s', ['netease:9']);
  await store.caches.putSongMeta('netease:1', { title: 'T', artist: 'A' });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  hanging?.close();
  await relay?.stop();
  await server?.stop();
});

const long = 'x'.repeat(10_000);

// [description, args, exit code, stderr pattern, options]
const cases: [string, string[], number, RegExp, RunCliOptions?][] = [
  ['an unknown ref syntax', ['playlist', 'add', 'p', 'spotify:123'], EXIT.usage, /invalid song ref "spotify:123"/],
  ['one bad ref among good ones', ['playlist', 'add', 'p', 'netease:4', 'qq:short'], EXIT.usage, /QQ songmid/],
  ['a ref leaving the music folder', ['playlist', 'add', 'p', 'local:../etc/passwd'], EXIT.usage, /'\.\.'/],
  ['a ref with a control character', ['queue', 'add', 's', 'local:a\u0007b.mp3'], EXIT.usage, /control characters/],
  ['an empty playlist name', ['playlist', 'create', ''], EXIT.usage, /playlist name is empty/],
  ['a 10 000-character playlist name', ['playlist', 'create', long], EXIT.usage, /longer than 64 characters/],
  ['a 10 000-character station name', ['station', 'create', long, '--mount', '/z.mp3', '--playlist', 'p'], EXIT.usage, /longer than 64/],
  ['a name with control characters', ['playlist', 'create', 'a\tb'], EXIT.usage, /control characters/],
  ['a missing playlist', ['playlist', 'add', 'nope', 'netease:1'], EXIT.notFound, /playlist "nope" does not exist/],
  ['showing a missing playlist', ['playlist', 'show', 'nope'], EXIT.notFound, /does not exist/],
  ['exporting a missing playlist', ['playlist', 'export', 'nope'], EXIT.notFound, /does not exist/],
  ['a position out of range', ['playlist', 'del', 'p', '2', '99'], EXIT.notFound, /position 99 is out of range: playlist "p" has 3 songs/],
  ['position 0', ['playlist', 'del', 'p', '0'], EXIT.usage, /expected a number from 1/],
  ['an insert position out of range', ['playlist', 'insert', 'p', '5', 'netease:1'], EXIT.notFound, /position 5 is out of range/],
  ['an insert position past any playlist', ['playlist', 'insert', 'p', '99999999999', 'netease:1'], EXIT.notFound, /position 99999999999 is out of range: playlist "p" has 3 songs/],
  ['a queue position past any queue', ['queue', 'del', 's', '99999999999'], EXIT.notFound, /position 99999999999 is out of range/],
  ['a move target out of range', ['playlist', 'move', 'p', '1', '4'], EXIT.notFound, /position 4 is out of range/],
  ['a rename onto an existing name', ['playlist', 'rename', 'p', 'other'], EXIT.usage, /already exists/],
  ['creating an existing playlist', ['playlist', 'create', 'p'], EXIT.usage, /already exists/],
  ['removing a playlist a station plays', ['playlist', 'rm', 'p'], EXIT.usage, /played by station\(s\) s/],
  ['a bad ref on stdin', ['playlist', 'add', 'p', '-'], EXIT.usage, /stdin line 2: invalid song ref "oops"/, { stdin: 'netease:5\noops\n' }],
  ['nothing on stdin', ['playlist', 'add', 'p', '-'], EXIT.usage, /no song refs on stdin/, { stdin: '\n' }],
  ['a reversed range', ['playlist', 'show', 'p', '--range', '5:1'], EXIT.usage, /END is before START/],
  ['an unknown format tag', ['playlist', 'show', 'p', '-f', '%bogus%'], EXIT.usage, /unknown tag %bogus%/],
  ['a taken mount', ['station', 'create', 't', '--mount', '/s.mp3', '--playlist', 'p'], EXIT.usage, /mount \/s\.mp3 is already used by station "s"/],
  ['a bad mount', ['station', 'create', 't', '--mount', 'radio', '--playlist', 'p'], EXIT.usage, /invalid mount "radio"/],
  ['a station on a missing playlist', ['station', 'create', 't', '--mount', '/t.mp3', '--playlist', 'nope'], EXIT.notFound, /playlist "nope" does not exist/],
  ['an unsupported bitrate', ['station', 'create', 't', '--mount', '/t.mp3', '--playlist', 'p', '--bitrate', '100'], EXIT.usage, /invalid bitrate 100/],
  ['a missing --mount', ['station', 'create', 't', '--playlist', 'p'], EXIT.usage, /required option '--mount/],
  ['a bad mode', ['station', 'set', 's', 'mode=random'], EXIT.usage, /invalid mode "random"/],
  ['an unknown setting', ['station', 'set', 's', 'volume=11'], EXIT.usage, /invalid setting "volume=11"/],
  ['a loudness target out of range', ['station', 'set', 's', 'loudness=-40'], EXIT.usage, /invalid loudness "-40": expected a target in LUFS from -30 to -5 \(e\.g\. -16\) or off/],
  ['a loudness that is no number', ['station', 'set', 's', 'loudness=loud'], EXIT.usage, /invalid loudness "loud"/],
  ['a crossfade too long', ['station', 'set', 's', 'crossfade=12'], EXIT.usage, /invalid crossfade "12": expected seconds from 0 to 10, e\.g\. 4 \(0 or off = none\)/],
  ['a crossfade that is no number', ['station', 'set', 's', 'crossfade=-1'], EXIT.usage, /invalid crossfade "-1"/],
  ['a loudness flag out of range', ['station', 'create', 't', '--mount', '/t.mp3', '--playlist', 'p', '--loudness', '0'], EXIT.usage, /invalid loudness "0"/],
  ['setting a missing playlist', ['station', 'set', 's', 'playlist=nope', 'mode=shuffle'], EXIT.notFound, /playlist "nope"/],
  ['a missing station', ['station', 'set', 'nope', 'mode=order'], EXIT.notFound, /station "nope" does not exist/],
  ['queueing on a missing station', ['queue', 'add', 'nope', 'netease:1'], EXIT.notFound, /station "nope" does not exist/],
  ['showing the queue of a missing station', ['queue', 'nope'], EXIT.notFound, /station "nope" does not exist/],
  ['a queue position out of range', ['queue', 'del', 's', '2'], EXIT.notFound, /position 2 is out of range: the queue of "s" has 1 song/],
  ['skipping on a missing station', ['next', 'nope'], EXIT.notFound, /does not exist/],
  ['the history of a missing station', ['history', 'nope'], EXIT.notFound, /does not exist/],
  ['now on a missing station', ['now', 'nope'], EXIT.notFound, /does not exist/],
  ['removing a missing station', ['station', 'rm', 'nope'], EXIT.notFound, /does not exist/],
  ['an unknown command', ['playlst', 'ls'], EXIT.usage, /unknown command 'playlst'/],
  ['a missing argument', ['playlist', 'add', 'p'], EXIT.usage, /missing required argument 'ref'/],
  ['a bad Redis URL', ['playlist', 'add', 'p', 'netease:1', '--redis', 'http://x'], EXIT.usage, /invalid Redis URL/],
  ['an import source that is neither', ['playlist', 'import', 'p', 'songs.txt'], EXIT.usage, /cannot import "songs.txt"/],
  ['an import file that does not exist', ['playlist', 'import', 'p', 'missing.m3u'], EXIT.usage, /cannot read missing\.m3u: ENOENT/],
  ['a wrong relay token', ['song', 'netease:1'], EXIT.usage, /refused the token \(401\): check RELAY_TOKEN/, { env: { RELAY_TOKEN: 'wrong' } }],
  ['a bad song ref for the relay', ['song', 'netease:x'], EXIT.usage, /NetEase song id/],
  ['a missing relay playlist', ['playlist', 'import', 'p', 'netease:playlist:404'], EXIT.notFound, /the relay has no playlist netease:playlist:404/],
];

describe('bad input: one line on stderr, the documented exit code, and nothing changed in Redis', () => {
  it.each(cases)('%s', async (_name, args, code, message, options) => {
    const before = await dumpRedis(redis);
    const result = await cli(args, options);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(await dumpRedis(redis)).toEqual(before);
  });
});

describe('unreachable services', () => {
  const unreachable: [string, string[], RegExp, (RunCliOptions & { limitMs: number })][] = [
    ['Redis refusing connections', ['playlist', 'add', 'p', 'netease:1'], /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED/, { env: {}, limitMs: 3_000 }],
    ['Redis accepting and never answering', ['playlist', 'ls'], /cannot reach Redis .*no answer within/, { env: {}, limitMs: 6_000 }],
    ['the relay refusing connections (import)', ['playlist', 'import', 'p', 'netease:playlist:1'], /cannot reach the relay/, { env: {}, limitMs: 8_000 }],
    ['the relay refusing connections (song)', ['song', 'netease:1'], /cannot reach the relay/, { env: {}, limitMs: 8_000 }],
  ];

  it.each(unreachable)('%s: exit 4 quickly with one line', async (name, args, message, options) => {
    const before = await dumpRedis(redis);
    const env: Record<string, string> = name.startsWith('Redis accepting')
      ? { REDIS_URL: `redis://127.0.0.1:${hangingPort}` }
      : name.startsWith('Redis')
        ? { REDIS_URL: `redis://127.0.0.1:${closedPort}` }
        : { RELAY_URL: `http://127.0.0.1:${closedPort}` };
    const result = await cli(args, { env });
    expect(result.code).toBe(EXIT.unavailable);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.elapsedMs).toBeLessThan(options.limitMs);
    expect(await dumpRedis(redis)).toEqual(before);
  });
});

describe('relaycast start with a value of the wrong type: one line saying what was wrong, exit 2', () => {
  const station = { ICECAST_SOURCE_PASSWORD: 'hackme', STATION_NAME: 'main', STATION_MOUNT: '/radio.mp3', REDIS_URL: '' };
  const bad: [string, Record<string, string>, string][] = [
    ['a negative bitrate', { STATION_BITRATE: '-128' }, 'relaycast: config: STATION_BITRATE: must be one of 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, got -128'],
    ['a yes/no that is neither', { ICE_PUBLIC: 'maybe' }, 'relaycast: config: ICE_PUBLIC: must be true or false, got "maybe"'],
  ];

  it.each(bad)('%s', async (_name, env, line) => {
    const result = await runCli(['start'], { env: { ...station, ...env } });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  });
});
