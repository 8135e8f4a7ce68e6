import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../../src/audio/format.js';
import { IcecastSource, type IcecastSourceOptions, type IcecastSourceState } from '../../../src/icecast/index.js';
import { systemClock, type Clock } from '../../../src/time/clock.js';
import { createLogger } from '../../../src/log/index.js';
import { within } from '../../support/icecast-suite.js';
import { captureLog } from '../../support/icecast.js';

/**
 * A scripted fake Icecast on loopback (ioredis-style): each connection's request head goes to
 * `script`, which answers, hangs, hangs up or stops reading.
 */
interface FakeIcecast {
  url: string;
  heads: string[];
  bodies: Buffer[][];
  close(): Promise<void>;
}

type Script = (socket: Socket, head: string, index: number) => void;

async function fakeIcecast(script: Script): Promise<FakeIcecast> {
  const heads: string[] = [];
  const bodies: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = buffered.subarray(0, end).toString('latin1');
      const index = heads.push(head) - 1;
      const body: Buffer[] = [buffered.subarray(end + 4)];
      bodies[index] = body;
      socket.on('data', (more: Buffer) => body.push(more));
      script(socket, head, index);
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    heads,
    bodies,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n';
const METADATA_OK = 'HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0"?>\n<iceresponse><message>Metadata update successful</message><return>1</return></iceresponse>\n';

/** Icecast 2.4.4's way: 100 Continue for the source PUT, success for title updates. */
const acceptAll: Script = (socket, head) => {
  if (head.startsWith('PUT ')) socket.write(CONTINUE);
  else socket.end(METADATA_OK);
};

/** The system clock, counting its live timers, to prove none outlives its state. */
function countingTimers(): Clock & { active: () => number } {
  const live = new Set<unknown>();
  return {
    ...systemClock,
    setTimeout(callback, ms) {
      const timer = systemClock.setTimeout(() => {
        live.delete(timer);
        callback();
      }, ms);
      live.add(timer);
      return {
        clear: () => {
          live.delete(timer);
          timer.clear();
        },
      };
    },
    active: () => live.size,
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(script: Script, options: Partial<IcecastSourceOptions> = {}) {
  const server = await fakeIcecast(script);
  const log = captureLog();
  const timers = countingTimers();
  const source = new IcecastSource({
    target: { url: server.url, mount: '/fake.mp3', password: 'fake-secret-pw', ice: { name: 'Fake' }, format: DEFAULT_STREAM_FORMAT },
    logger: createLogger({ destination: log, level: 'debug' }),
    clock: timers,
    ...options,
  });
  const states: IcecastSourceState[] = [];
  source.on('state', (state) => states.push(state));
  cleanups.push(() => server.close(), () => source.stop());
  return { server, log, timers, source, states };
}

/** Resolves when `predicate` holds for a new state; rejects after timeoutMs. */
function nextState(source: IcecastSource, predicate: (state: IcecastSourceState) => boolean, timeoutMs = 5_000): Promise<IcecastSourceState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching state within ${timeoutMs} ms (now ${source.status})`)), timeoutMs);
    const onState = (state: IcecastSourceState): void => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      source.off('state', onState);
      resolve(state);
    };
    source.on('state', onState);
  });
}

describe('IcecastSource against a scripted fake Icecast', () => {
  it('sends a PUT with an identity body and Expect: 100-continue, and streams on 100 Continue without waiting for a 200', async () => {
    const { server, source } = await setup((socket) => socket.write(CONTINUE));
    expect(source.write(Buffer.from('early'))).toBe(false);
    source.start();
    await once(source, 'streaming', within(5_000));
    const payload = Buffer.alloc(10_000, 0xab);
    expect(source.write(payload)).toBe(true);
    await expect.poll(() => Buffer.concat(server.bodies[0] ?? []).length, { timeout: 2_000 }).toBe(payload.length);

    expect(Buffer.concat(server.bodies[0]!).equals(payload)).toBe(true);
    const head = server.heads[0]!;
    expect(head).toMatch(/^PUT \/fake\.mp3 HTTP\/1\.1\r\n/);
    expect(head).toMatch(/\r\nExpect: 100-continue/i);
    expect(head).toMatch(/\r\nContent-Type: audio\/mpeg/i);
    expect(head).toMatch(/\r\nHost: 127\.0\.0\.1:\d+/i);
    expect(head).toMatch(/\r\nice-audio-info: samplerate=44100;channels=2;bitrate=128/i);
    expect(head).not.toMatch(/transfer-encoding/i);
  });

  it('reconnects within 250 ms after Icecast hangs up, emits disconnected, and sends the title on the new connection', async () => {
    const { server, source, log } = await setup((socket, head, index) => {
      if (!head.startsWith('PUT ')) return void socket.end(METADATA_OK);
      socket.write(CONTINUE);
      if (index === 0) setTimeout(() => socket.destroy(), 100);
    });
    source.setTitle('晴天 & "x"');
    source.start();
    await once(source, 'streaming', within(5_000));
    const [error] = await once(source, 'disconnected', within(5_000));
    expect(error).toMatchObject({ kind: 'network', code: 'ERR_ICECAST_CONNECTION' });
    const waiting = source.state;
    expect(waiting).toMatchObject({ status: 'waiting', attempt: 1 });
    expect(waiting.status === 'waiting' && waiting.delayMs).toBeLessThanOrEqual(250);
    await once(source, 'streaming', within(5_000));

    await expect.poll(() => server.heads.filter((head) => head.startsWith('GET /admin/metadata')).length).toBe(2);
    const updates = server.heads.filter((head) => head.startsWith('GET /admin/metadata'));
    for (const update of updates) expect(update).toContain('song=%E6%99%B4%E5%A4%A9%20%26%20%22x%22');
    expect(updates[0]).not.toContain('charset=');
    expect(log.raw.join('')).not.toContain('fake-secret-pw');
  });

  it('authenticates title updates with the admin credentials when given, the source credentials otherwise', async () => {
    for (const admin of [{}, { adminUser: 'boss', adminPassword: 'admin-pw' }]) {
      const server = await fakeIcecast(acceptAll);
      const source = new IcecastSource({
        target: { url: server.url, mount: '/fake.mp3', password: 'fake-secret-pw', ...admin, ice: {}, format: DEFAULT_STREAM_FORMAT },
        logger: createLogger({ destination: captureLog() }),
      });
      cleanups.push(() => server.close(), () => source.stop());
      source.setTitle('t');
      source.start();
      await expect.poll(() => server.heads.find((head) => head.startsWith('GET /admin/metadata'))).toBeDefined();
      const update = server.heads.find((head) => head.startsWith('GET /admin/metadata'))!;
      const credentials = 'adminUser' in admin ? 'boss:admin-pw' : 'source:fake-secret-pw';
      expect(update).toContain(`Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
    }
  });

  it('abandons a connection that gets no answer after connectTimeoutMs, and retries', async () => {
    const { source, server } = await setup(() => undefined, { timing: { connectTimeoutMs: 200 } });
    source.start();
    const waiting = await nextState(source, (state) => state.status === 'waiting');
    expect(waiting.status === 'waiting' && waiting.error.message).toMatch(/no answer from Icecast .* within 200 ms/);
    await nextState(source, (state) => state.status === 'connecting');
    expect(server.heads.length).toBeGreaterThanOrEqual(1);
  });

  it('detects a write that never drains (peer stopped reading) within drainTimeoutMs and reconnects', async () => {
    const { source } = await setup(
      (socket, head) => {
        socket.write(CONTINUE);
        socket.pause(); // Icecast hung: takes no more data, sends no FIN/RST
        socket.removeAllListeners('data');
        void head;
      },
      { timing: { drainTimeoutMs: 300 } },
    );
    source.start();
    await once(source, 'streaming', within(5_000));
    // More than loopback's socket buffers can hold, so drain never comes.
    expect(source.write(Buffer.alloc(64 * 1024 * 1024))).toBe(true);
    expect(source.write(Buffer.alloc(10))).toBe(false);
    const startedAt = performance.now();
    const [error] = await once(source, 'disconnected', within(5_000));
    expect(performance.now() - startedAt).toBeLessThan(2_000);
    expect(error.message).toMatch(/took no data for 300 ms/);
  });

  it('never throws from setTitle and logs a warning when Icecast does not confirm the update', async () => {
    const refusal = 'HTTP/1.0 200 OK\r\n\r\n<iceresponse><message>Mountpoint will not accept URL updates</message><return>1</return></iceresponse>';
    const { source, log } = await setup((socket, head) => {
      if (head.startsWith('PUT ')) socket.write(CONTINUE);
      else socket.end(refusal);
    });
    source.start();
    await once(source, 'streaming', within(5_000));
    expect(() => source.setTitle('a title')).not.toThrow();
    await expect.poll(() => log.lines.filter((line) => line.level === 'warn').length).toBe(1);
    expect(() => source.setTitle('lone surrogate \uD800')).not.toThrow(); // encodeURIComponent would throw
    await expect.poll(() => log.lines.filter((line) => line.level === 'warn').length).toBe(2);
    const warning = log.lines.find((line) => line.level === 'warn')!; // the first one
    expect(JSON.stringify(warning)).toContain('set the Icecast admin user and password');
    expect(source.status).toBe('streaming');
  });

  it('leaves no timer behind: one per state while running, none after stop()', async () => {
    const { source, timers, server } = await setup(acceptAll);
    source.start();
    await once(source, 'streaming', within(5_000));
    expect(timers.active()).toBe(1); // the healthy-stretch timer
    await source.stop();
    expect(timers.active()).toBe(0);

    await server.close();
    const idle = await setup(() => undefined, { timing: { connectTimeoutMs: 100 } });
    idle.source.start();
    await nextState(idle.source, (state) => state.status === 'waiting');
    expect(idle.timers.active()).toBe(1); // the retry timer only
    await idle.source.stop();
    expect(idle.timers.active()).toBe(0);
  });

  it('stop() while waiting cancels the retry: no further connection is made', async () => {
    const { source, server } = await setup((socket) => socket.end('HTTP/1.0 401 Authentication Required\r\n\r\nYou need to authenticate\r\n'), {
      retry: { slowMs: 100 },
    });
    source.start();
    await nextState(source, (state) => state.status === 'waiting');
    await source.stop();
    const connections = server.heads.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.heads.length).toBe(connections);
    expect(source.status).toBe('stopped');
  });

  it('logs a repeated refusal once, at error, and each retry only at debug', async () => {
    const { source, log } = await setup((socket) => socket.end('HTTP/1.0 401 Authentication Required\r\n\r\nYou need to authenticate\r\n'), {
      retry: { slowMs: 50 },
    });
    source.start();
    for (let i = 0; i < 4; i += 1) await nextState(source, (state) => state.status === 'waiting');
    expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(1);
    expect(log.lines.filter((line) => line.level === 'debug' && line.msg === 'Icecast source connection failed again').length).toBeGreaterThanOrEqual(3);
  });

  it('can be stopped from inside a state listener, at any state, without throwing or leaking timers', async () => {
    for (const status of ['connecting', 'streaming'] as const) {
      const { source, timers } = await setup(acceptAll);
      const stopped = new Promise<void>((resolve) => {
        source.on('state', (state) => {
          if (state.status === status) void source.stop().then(resolve);
        });
      });
      source.start();
      await stopped;
      expect(source.status).toBe('stopped');
      expect(timers.active()).toBe(0);
    }
  });

  it('rejects unknown options up front', () => {
    expect(
      () =>
        new IcecastSource({
          target: { url: 'http://127.0.0.1:1', mount: '/a.mp3', password: 'x', ice: {}, format: DEFAULT_STREAM_FORMAT },
          logger: createLogger({ destination: captureLog() }),
          retires: {},
        } as IcecastSourceOptions),
    ).toThrow(/IcecastSource.retires: unknown option/);
    const target = { url: 'http://127.0.0.1:1', mount: '/a.mp3', password: 'x', ice: {}, format: DEFAULT_STREAM_FORMAT };
    const logger = createLogger({ destination: captureLog() });
    expect(() => new IcecastSource({ target, logger, retry: { slowms: 1 } as never })).toThrow(/IcecastSource.retry.slowms: unknown option/);
    expect(() => new IcecastSource({ target, logger, timing: { drainTimeoutMs: -1 } })).toThrow(/drainTimeoutMs: expected a number/);
  });
});
