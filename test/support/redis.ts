import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { requirePrograms } from './prereq.js';
import { stopChild } from './stop-child.js';
import { makeTempDir } from './tmp.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** A new client (closed by stop()). */
  client(): Redis;
  /** Stops the server and every client made by client(); safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server but keeps its data directory; start() brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** kill() then start(): the data comes back from the append-only file, as with the compose file's Redis. */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const running = new Set<ChildProcess>();

// A test that throws before its afterAll must not leave a redis-server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function spawnServer(port: number, dir: string): ChildProcess {
  const child = spawn(
    'redis-server',
    // Same durability as the compose file's Redis: AOF, fsync every second, no RDB snapshots.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir, '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering`);
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms`);
}

/** A real redis-server on a free loopback port, in a temp dir, with an append-only file. */
export async function startRedis(): Promise<RedisServer> {
  requirePrograms('redis-server');
  const port = await freePort();
  const temp = await makeTempDir('redis');
  const clients = new Set<Redis>();
  let child = spawnServer(port, temp.dir);
  let stopped = false;
  try {
    await waitForPing(port, child);
  } catch (error) {
    await stopChild(child);
    await temp.remove();
    throw error;
  }

  const closeClients = () => {
    for (const client of clients) client.disconnect();
    clients.clear();
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client() {
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.add(client);
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      closeClients();
      await stopChild(child);
      await temp.remove();
    },
    async kill() {
      await stopChild(child);
    },
    async start() {
      child = spawnServer(port, temp.dir);
      await waitForPing(port, child);
    },
    async restart() {
      await stopChild(child);
      child = spawnServer(port, temp.dir);
      await waitForPing(port, child);
    },
  };
}

/**
 * Every key with its type, value and whether it expires: compare two snapshots to prove a failed
 * command changed nothing.
 */
export async function dumpRedis(client: Redis): Promise<Record<string, unknown>> {
  const names = (await client.keys('*')).sort();
  const snapshot: Record<string, unknown> = {};
  for (const name of names) {
    const type = await client.type(name);
    const ttl = await client.pttl(name);
    let value: unknown;
    if (type === 'string') value = await client.get(name);
    else if (type === 'list') value = await client.lrange(name, 0, -1);
    else if (type === 'set') value = (await client.smembers(name)).sort();
    else if (type === 'hash') value = await client.hgetall(name);
    else if (type === 'zset') value = await client.zrange(name, 0, -1, 'WITHSCORES');
    else value = `<${type}>`;
    snapshot[name] = { type, value, expires: ttl >= 0 };
  }
  return snapshot;
}
