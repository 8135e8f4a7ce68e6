import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startRedis, type RedisServer } from '../support/redis.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

describe('concurrent CLI edits', () => {
  it('keeps all 20 songs added by 20 processes at once, none duplicated', async () => {
    const env = { REDIS_URL: server.url };
    expect((await runCli(['playlist', 'create', 'p'], { env })).code).toBe(0);
    const refs = Array.from({ length: 20 }, (_, i) => `netease:${i + 1}`);
    const results = await Promise.all(refs.map((ref) => runCli(['playlist', 'add', 'p', ref, '-q'], { env, timeoutMs: 60_000 })));
    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const stored = await server.client().lrange('relaycast:playlist:p', 0, -1);
    expect(stored).toHaveLength(20);
    expect([...stored].sort()).toEqual([...refs].sort());
  });

  it('keeps every song when processes insert and append to one queue at once', async () => {
    const env = { REDIS_URL: server.url };
    await runCli(['station', 'create', 's', '--mount', '/s.mp3', '--playlist', 'p'], { env });
    const jobs = Array.from({ length: 10 }, (_, i) =>
      runCli(['queue', i % 2 === 0 ? 'add' : 'insert', 's', `netease:${100 + i}`, `netease:${200 + i}`, '-q'], { env, timeoutMs: 60_000 }),
    );
    for (const result of await Promise.all(jobs)) expect(result.code).toBe(0);
    const queue = await server.client().lrange('relaycast:queue:s', 0, -1);
    expect(queue).toHaveLength(20);
    // Each command's two songs stay together and in order, whatever the interleaving.
    for (let i = 0; i < 10; i += 1) expect(queue.indexOf(`netease:${200 + i}`)).toBe(queue.indexOf(`netease:${100 + i}`) + 1);
  });
});
