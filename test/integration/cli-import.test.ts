import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/cli-error.js';
import { cliAgainst } from '../support/cli.js';
import { startFakeRelay, unplayableSong, type FakeRelay } from '../support/fake-relay.js';
import { freePort } from '../support/ports.js';
import { dumpRedis, startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';

let server: RedisServer;
let redis: Redis;
let relay: FakeRelay;
let temp: { dir: string; remove: () => Promise<void> };

/** Which songs the fake relay refuses, and how. */
function refusal(ref: string) {
  const id = Number(/^netease:(\d+)$/.exec(ref)?.[1] ?? NaN);
  if (id % 7 === 0) return unplayableSong(ref, 'no-rights', 422, false);
  if (id % 11 === 0) return unplayableSong(ref, 'upstream-error', 502, false);
  return undefined;
}

const { run: cli } = cliAgainst(() => ({ REDIS_URL: server.url, RELAY_URL: relay.url, RELAY_TOKEN: 'secret' }));

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  temp = await makeTempDir('import');
  const playlistSongs = Array.from({ length: 230 }, (_, i) => ({ ref: `netease:${i + 1}`, title: `Song ${i + 1}`, artist: 'A' }));
  relay = await startFakeRelay({ token: 'secret', song: refusal, playlists: { 'netease:playlist:77': { name: 'Big list', songs: playlistSongs } } });
});

afterAll(async () => {
  await relay?.stop();
  await server?.stop();
  await temp?.remove();
});

beforeEach(async () => {
  await redis.flushall();
});

/** 500 entries: refs with #EXTINF, bare refs, relative paths, and a few lines that are not songs. */
function bigM3u(): { text: string; expected: string[]; skipped: number } {
  const lines = ['#EXTM3U'];
  const expected: string[] = [];
  let skipped = 0;
  for (let i = 1; i <= 500; i += 1) {
    if (i % 50 === 0) {
      lines.push(`http://example.invalid/stream${i}.mp3`);
      skipped += 1;
    } else if (i % 25 === 0) {
      lines.push(`music/track ${i}.mp3`);
      expected.push(`local:music/track ${i}.mp3`);
    } else {
      const ref = `netease:${i}`;
      if (i % 3 === 0) lines.push(`#EXTINF:${i},Artist ${i} - Title ${i}`);
      lines.push(ref);
      if (refusal(ref)) skipped += 1;
      else expected.push(ref);
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, expected, skipped };
}

describe('relaycast playlist import', () => {
  it('imports a 500-entry M3U in order, leaves out what the relay cannot play and says why', async () => {
    const { text, expected, skipped } = bigM3u();
    const file = join(temp.dir, 'big.m3u8');
    await writeFile(file, text);
    const result = await cli(['playlist', 'import', 'evening', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`imported ${expected.length} of 500 songs into evening (${expected.length} songs in all)`);
    expect(lines[1]).toBe(`not imported (${skipped}):`);
    expect(lines).toHaveLength(2 + skipped);
    expect(result.stdout).toMatch(/line \d+ netease:7: no-rights \(netease:7 is no-rights\)/);
    expect(result.stdout).toMatch(/line \d+ netease:11: upstream-error/);
    expect(result.stdout).toMatch(/line \d+ http:\/\/example\.invalid\/stream50\.mp3: invalid-entry \(URLs are not supported/);
    expect(await redis.lrange('relaycast:playlist:evening', 0, -1)).toEqual(expected);
    // The relay's metadata is cached for listings.
    const show = await cli(['playlist', 'show', 'evening', '--range', '0:2']);
    expect(show.stdout).toBe('1. Artist of netease:1 - Title of netease:1 (3:20)\n2. Artist of netease:2 - Title of netease:2 (3:20)\n');
  });

  it('prints the summary as JSON and appends unless --replace', async () => {
    const m3u = '#EXTM3U\nnetease:1\nnetease:7\nnetease:2\n';
    const first = await cli(['playlist', 'import', 'p', '-', '--json'], { stdin: m3u });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      playlist: 'p',
      source: '-',
      added: 2,
      direct: 2,
      matched: [],
      length: 2,
      skipped: [{ index: 2, line: 3, location: 'netease:7', ref: 'netease:7', reason: 'no-rights', message: 'netease:7 is no-rights' }],
    });
    await cli(['playlist', 'import', 'p', '-', '-q'], { stdin: 'netease:3\n' });
    expect(await redis.lrange('relaycast:playlist:p', 0, -1)).toEqual(['netease:1', 'netease:2', 'netease:3']);
    await cli(['playlist', 'import', 'p', '-', '--replace'], { stdin: 'netease:4\n' });
    expect(await redis.lrange('relaycast:playlist:p', 0, -1)).toEqual(['netease:4']);
  });

  it('imports a service playlist through the relay, page by page', async () => {
    const result = await cli(['playlist', 'import', 'big', 'netease:playlist:77']);
    expect(result.code).toBe(0);
    const expected = Array.from({ length: 230 }, (_, i) => `netease:${i + 1}`).filter((ref) => !refusal(ref));
    expect(result.stdout.split('\n')[0]).toBe(`imported ${expected.length} of 230 songs into big (${expected.length} songs in all)`);
    expect(await redis.lrange('relaycast:playlist:big', 0, -1)).toEqual(expected);
  });

  it('maps absolute paths under --local-root', async () => {
    const result = await cli(['playlist', 'import', 'p', '-', '--local-root', '/srv/music'], { stdin: '/srv/music/jazz/a.mp3\n/home/x/b.mp3\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/line 2 \/home\/x\/b\.mp3: invalid-entry \(absolute path outside the music folder/);
    expect(await redis.lrange('relaycast:playlist:p', 0, -1)).toEqual(['local:jazz/a.mp3']);
  });

  it('changes nothing when no song can be imported', async () => {
    const before = await dumpRedis(redis);
    const result = await cli(['playlist', 'import', 'p', '-'], { stdin: 'netease:7\nnetease:14\n' });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr).toBe('relaycast: none of the 2 songs could be imported: playlist p unchanged\n');
    expect(await dumpRedis(redis)).toEqual(before);
  });

  it('changes nothing when the relay goes away', async () => {
    const before = await dumpRedis(redis);
    const result = await cli(['playlist', 'import', 'p', '-'], { stdin: 'netease:1\n', env: { RELAY_URL: `http://127.0.0.1:${await freePort()}` } });
    expect(result.code).toBe(EXIT.unavailable);
    expect(await dumpRedis(redis)).toEqual(before);
  });
});
