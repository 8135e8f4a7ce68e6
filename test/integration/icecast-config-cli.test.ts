import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/cli-error.js';
import { STATION_MOUNTS_MARKER } from '../../src/icecast-mounts/index.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';
import { spawnWorker } from '../support/worker-process.js';

/** `relaycast icecast-config` as a command: its settings, --once, and a start without Redis. */

const BASE = `<icecast>\n    <source-password>pw</source-password>\n    ${STATION_MOUNTS_MARKER}\n</icecast>\n`;

describe('relaycast icecast-config, the command', () => {
  let redis: RedisServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    temp = await makeTempDir('icecast-config-cli');
    env = { ICECAST_BASE_CONFIG_PATH: join(temp.dir, 'base.xml'), ICECAST_CONFIG_PATH: join(temp.dir, 'out', 'icecast.xml'), REDIS_URL: redis.url };
    await writeFile(env.ICECAST_BASE_CONFIG_PATH!, BASE);
  });

  afterAll(async () => {
    await redis?.stop();
    await temp?.remove();
  });

  it('--once renders the stations into the config (mode 0640), and writes nothing when it is up to date', async () => {
    expect((await runCli(['playlist', 'create', 'p'], { env })).code).toBe(0);
    expect((await runCli(['station', 'create', 'main', '--mount', '/radio.mp3', '--playlist', 'p'], { env })).code).toBe(0);
    const first = await runCli(['icecast-config', '--once'], { env });
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain('"written":true');
    const text = await readFile(env.ICECAST_CONFIG_PATH!, 'utf8');
    expect(text).toContain('<fallback-mount>/fallback/radio.mp3</fallback-mount>');
    expect((await stat(env.ICECAST_CONFIG_PATH!)).mode & 0o777).toBe(0o640);
    const again = await runCli(['icecast-config', '--once'], { env });
    expect(again.stdout).toContain('"written":false');
  });

  it('--once without an answering Redis fails within seconds with one line and exit code 4, the file untouched', async () => {
    const before = await readFile(env.ICECAST_CONFIG_PATH!, 'utf8');
    const result = await runCli(['icecast-config', '--once'], { env: { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, timeoutMs: 15_000 });
    expect(result.code).toBe(EXIT.unavailable);
    expect(result.elapsedMs).toBeLessThan(6_000);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^relaycast: cannot reach Redis/);
    expect(await readFile(env.ICECAST_CONFIG_PATH!, 'utf8')).toBe(before);
  });

  it('refuses bad settings with one line and exit code 2', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...env, REDIS_URL: '' }, /^relaycast: config: REDIS_URL: is required/],
      [{ ...env, ICECAST_EDGE_MASTER: 'http://icecast:8000' }, /^relaycast: config: ICECAST_EDGE_MASTER: must be host:port/],
      [{ ...env, ICECAST_BASE_CONFIG_PATH: join(temp.dir, 'missing.xml') }, /^relaycast: config: ICECAST_BASE_CONFIG_PATH: cannot read .*missing\.xml \(ENOENT\)/],
    ];
    for (const [caseEnv, message] of cases) {
      const result = await runCli(['icecast-config', '--once'], { env: caseEnv });
      expect(result.code, result.stderr).toBe(EXIT.usage);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    await writeFile(join(temp.dir, 'no-marker.xml'), '<icecast></icecast>');
    const noMarker = await runCli(['icecast-config'], { env: { ...env, ICECAST_BASE_CONFIG_PATH: join(temp.dir, 'no-marker.xml') } });
    expect(noMarker.code).toBe(EXIT.usage);
    expect(noMarker.stderr).toMatch(/^relaycast: config: ICECAST_BASE_CONFIG_PATH: has no <!-- relaycast:station-mounts --> line/);
  });

  it('started without Redis, writes the base alone when there is no config yet, and adds the stations once Redis answers', async () => {
    const port = await freePort();
    const output = join(temp.dir, 'later', 'icecast.xml');
    const writer = spawnWorker(['icecast-config'], { ...env, ICECAST_CONFIG_PATH: output, REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      await writer.waitForEvent((event) => event.event === 'icecast-config.following', 10_000);
      expect(writer.events.filter((event) => event.event === 'icecast-config.redis-away')).toHaveLength(1);
      const alone = await readFile(output, 'utf8');
      expect(alone).toContain('<source-password>pw</source-password>');
      expect(alone).not.toContain('<mount ');
      // Redis comes up on that port later: the writer's reconnects find it and the stations follow.
      const late = await startRedisOn(port);
      try {
        expect((await runCli(['playlist', 'create', 'p'], { env: { REDIS_URL: late.url } })).code).toBe(0);
        expect((await runCli(['station', 'create', 'late', '--mount', '/late.mp3', '--playlist', 'p'], { env: { REDIS_URL: late.url } })).code).toBe(0);
        await writer.waitForEvent((event) => event.event === 'icecast-config.written' && (event.mounts as string[]).includes('/late.mp3'), 10_000);
        expect(await readFile(output, 'utf8')).toContain('<mount-name>/late.mp3</mount-name>');
        expect(writer.events.some((event) => event.event === 'icecast-config.redis-back')).toBe(true);
      } finally {
        await late.stop();
      }
      // SIGTERM with Redis away again: the writer ends at once, with status 0 (no reconnect holds it).
      const stopped = await writer.stop();
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.tookMs).toBeLessThan(1_500);
    } finally {
      await writer.stop();
    }
  });
});

/** A redis-server on a given port (startRedis picks its own). */
async function startRedisOn(port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 100; i += 1) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const ok = await probe.connect().then(() => probe.ping(), () => undefined);
    probe.disconnect();
    if (ok === 'PONG') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
