import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;

const { run: cli, ok } = cliAgainst(() => ({ REDIS_URL: server.url }));

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushall();
});

describe('relaycast playlist', () => {
  it('creates, adds, inserts, moves, deletes and shows songs like mpc', async () => {
    expect(await ok(['playlist', 'create', 'evening'])).toBe('created playlist evening\n');
    expect(await ok(['playlist', 'add', 'evening', 'netease:1', 'netease:2', 'netease:3'])).toBe('added 3 songs to evening (3 songs)\n');
    await ok(['playlist', 'insert', 'evening', '1', 'qq:0039MnYb0qxYhV', '-q']);
    await ok(['playlist', 'move', 'evening', '1', '4']);
    await ok(['playlist', 'del', 'evening', '1']);
    expect(await ok(['playlist', 'show', 'evening'])).toBe('1. netease:2\n2. netease:3\n3. qq:0039MnYb0qxYhV\n');
    expect(await redis.lrange('relaycast:playlist:evening', 0, -1)).toEqual(['netease:2', 'netease:3', 'qq:0039MnYb0qxYhV']);
  });

  it('prints cached metadata with -f, limits with --range and prints --json', async () => {
    await ok(['playlist', 'create', 'p']);
    await ok(['playlist', 'add', 'p', 'netease:1', 'netease:2', 'netease:3', 'netease:4']);
    const store = createStore(redis);
    await store.caches.putSongMeta('netease:2', { title: 'So What', artist: 'Miles Davis', album: 'Kind of Blue', durationMs: 562_000 });
    expect(await ok(['playlist', 'show', 'p', '--range', '1:3'])).toBe('2. Miles Davis - So What (9:22)\n3. netease:3\n');
    expect(await ok(['playlist', 'show', 'p', '-f', '%position%;%artist%;%title%;%album%;%time%', '--range', '1'])).toBe(
      '2;Miles Davis;So What;Kind of Blue;9:22\n',
    );
    expect(await ok(['playlist', 'show', 'p', '--format', '[%artist% - ]%title%|%ref%', '--range', '2:'])).toBe('netease:3\nnetease:4\n');
    expect(JSON.parse(await ok(['playlist', 'show', 'p', '--json', '--range', ':2']))).toEqual({
      name: 'p',
      songs: [
        { position: 1, ref: 'netease:1' },
        { position: 2, ref: 'netease:2', title: 'So What', artist: 'Miles Davis', album: 'Kind of Blue', durationMs: 562_000 },
      ],
    });
    expect(JSON.parse(await ok(['playlist', 'ls', '--json']))).toEqual([{ name: 'p', length: 4 }]);
    expect(await ok(['playlist', 'ls'])).toBe('p\t4 songs\n');
  });

  it('reads refs from stdin with -, skipping comments, in order', async () => {
    await ok(['playlist', 'create', 'p']);
    await ok(['playlist', 'add', 'p', '-'], { stdin: '#EXTM3U\nnetease:5\n\nlocal:a/b c.mp3\r\nqq:0039MnYb0qxYhV\n' });
    await ok(['playlist', 'insert', 'p', '2', '-'], { stdin: 'netease:7\nnetease:8\n' });
    expect(await redis.lrange('relaycast:playlist:p', 0, -1)).toEqual(['netease:5', 'netease:7', 'netease:8', 'local:a/b c.mp3', 'qq:0039MnYb0qxYhV']);
  });

  it('exports M3U that imports back through a pipe', async () => {
    await ok(['playlist', 'create', 'p']);
    await ok(['playlist', 'add', 'p', 'netease:1', 'netease:2']);
    await createStore(redis).caches.putSongMeta('netease:1', { title: '晴天', artist: '周杰伦', durationMs: 269_400 });
    const m3u = await ok(['playlist', 'export', 'p']);
    expect(m3u).toBe('#EXTM3U\n#EXTINF:269,周杰伦 - 晴天\nnetease:1\nnetease:2\n');
    await ok(['playlist', 'create', 'copy']);
    await ok(['playlist', 'add', 'copy', '-'], { stdin: m3u });
    expect(await redis.lrange('relaycast:playlist:copy', 0, -1)).toEqual(['netease:1', 'netease:2']);
  });

  it('renames, clears, shuffles and removes', async () => {
    await ok(['playlist', 'create', 'a']);
    await ok(['playlist', 'add', 'a', 'netease:1', 'netease:2', 'netease:3']);
    await ok(['playlist', 'rename', 'a', 'b']);
    await ok(['playlist', 'shuffle', 'b']);
    expect((await redis.lrange('relaycast:playlist:b', 0, -1)).sort()).toEqual(['netease:1', 'netease:2', 'netease:3']);
    expect(await ok(['playlist', 'clear', 'b'])).toBe('cleared b (3 songs removed)\n');
    expect(await ok(['playlist', 'show', 'b'])).toBe('');
    await ok(['playlist', 'rm', 'b']);
    expect(await ok(['playlist', 'ls'])).toBe('');
  });

  it('has help with examples for every verb', async () => {
    for (const verb of ['ls', 'show', 'create', 'rm', 'rename', 'add', 'insert', 'del', 'move', 'clear', 'shuffle', 'import', 'export']) {
      const result = await cli(['playlist', verb, '--help']);
      expect(result.code, verb).toBe(0);
      expect(result.stdout, verb).toMatch(/Examples:\n {2}\$ relaycast playlist/);
    }
  });
});
