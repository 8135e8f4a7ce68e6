import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../src/audio/format.js';
import { ICECAST_SOURCE_DEFAULTS, IcecastSource, type IcecastTarget } from '../../src/icecast/index.js';
import { createLogger } from '../../src/log/index.js';
import { captureLog, feedPaced, makeToneMp3, mp3DecodeErrors } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { useIcecastSuite, within } from '../support/icecast-suite.js';

const MOUNT = '/radio.mp3';

const suite = useIcecastSuite('icecast-source');

function target(overrides: Partial<IcecastTarget> = {}): IcecastTarget {
  return { url: suite.servers.icecast.url, mount: MOUNT, password: suite.servers.icecast.sourcePassword, ice: {}, format: DEFAULT_STREAM_FORMAT, ...overrides };
}

/** Offset of `received` inside the endlessly looped `file`, or -1: proves the bytes are the file's, in order. */
function loopOffset(file: Buffer, received: Buffer): number {
  const doubled = Buffer.concat([file, file]);
  const probe = received.subarray(0, 512);
  for (let offset = doubled.indexOf(probe); offset >= 0 && offset < file.length; offset = doubled.indexOf(probe, offset + 1)) {
    let matches = true;
    for (let i = 0; i < received.length && matches; i += file.length) {
      const part = received.subarray(i, i + file.length);
      const start = (offset + i) % file.length;
      matches = part.equals(doubled.subarray(start, start + part.length));
    }
    if (matches) return offset;
  }
  return -1;
}

describe('IcecastSource against a real Icecast 2.4.4', () => {
  it('streams an identity body: a listener receives the MP3 bytes exactly, and they decode without errors', async () => {
    const log = captureLog();
    const source = new IcecastSource({ target: target({ ice: { name: 'relaycast test 晴天', genre: 'Test' } }), logger: createLogger({ destination: log }) });
    const feeder = feedPaced(source, suite.tone);
    suite.cleanups.push(() => feeder.stop(), () => source.stop());
    source.start();
    await once(source, 'streaming', within(10_000));
    const mount = await suite.servers.icecast.waitForMount(MOUNT, 5_000);
    expect(mount.bitrate).toBe(128);
    expect(mount.audioInfo).toContain('samplerate=44100');

    const listener = await listen(`${suite.servers.icecast.url}${MOUNT}`);
    suite.cleanups.push(() => listener.close());
    await listener.waitForBytes(48_000, 10_000);
    const received = listener.audio();

    // Chunked encoding would have put "\r\n<hex>\r\n" lines between pieces: then no offset matches.
    expect(loopOffset(suite.tone, received)).toBeGreaterThanOrEqual(0);
    const receivedPath = join(suite.dir, 'received.mp3');
    await writeFile(receivedPath, received);
    expect(mp3DecodeErrors(receivedPath)).toBe('');
    expect(log.raw.join('')).not.toContain(suite.servers.icecast.sourcePassword);
  });

  it('logs a wrong source password once, retries no faster than the slow delay, and keeps running', async () => {
    const log = captureLog();
    const wrongPassword = 'wrong-Passw0rd-for-test';
    const slowMs = 1_000; // the default (>= 10 s) is asserted in the unit test of retryDelayMs
    const source = new IcecastSource({
      target: target({ mount: '/auth.mp3', password: wrongPassword }),
      logger: createLogger({ destination: log, level: 'debug' }),
      retry: { slowMs },
    });
    const attempts: number[] = [];
    source.on('state', (state) => state.status === 'connecting' && attempts.push(performance.now()));
    suite.cleanups.push(() => source.stop());
    source.start();
    await waitUntil(() => attempts.length >= 4, 10_000);

    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(slowMs);
    const loud = log.lines.filter((line) => line.level === 'error' || line.level === 'warn');
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatchObject({ level: 'error', code: 'ERR_ICECAST_AUTH', status: 401, mount: '/auth.mp3' });
    expect(loud[0]!.msg).toBe('Icecast rejected the source password for /auth.mp3 (401): check ICECAST_SOURCE_PASSWORD');
    expect(['waiting', 'connecting']).toContain(source.status);
    const raw = log.raw.join('');
    expect(raw).not.toContain(wrongPassword);
    expect(raw).not.toContain(Buffer.from(`source:${wrongPassword}`).toString('base64'));
  });

  it('retries a mount held by another source with growing delays, and takes it once it is freed', async () => {
    const mountPath = '/shared.mp3';
    const holder = new IcecastSource({ target: target({ mount: mountPath }), logger: createLogger({ destination: captureLog() }) });
    const holderFeed = feedPaced(holder, suite.tone);
    suite.cleanups.push(() => holderFeed.stop(), () => holder.stop());
    holder.start();
    await once(holder, 'streaming', within(10_000));

    const log = captureLog();
    const contender = new IcecastSource({ target: target({ mount: mountPath }), logger: createLogger({ destination: log, level: 'debug' }) });
    const otherTone = await makeToneMp3(join(suite.dir, 'tone-880hz-5s-128k.mp3'), 5, 880);
    const contenderFeed = feedPaced(contender, otherTone);
    suite.cleanups.push(() => contenderFeed.stop(), () => contender.stop());
    const waits: Array<{ attempt: number; delayMs: number; kind: string }> = [];
    contender.on('state', (state) => {
      if (state.status === 'waiting') waits.push({ attempt: state.attempt, delayMs: state.delayMs, kind: state.error.kind });
    });
    contender.start();
    await waitUntil(() => waits.length >= 3, 10_000);
    expect(waits.every((wait) => wait.kind === 'mount-in-use')).toBe(true);
    // Equal jitter: attempt n waits between half and all of min(cap, first * 2^(n-1)).
    const first = ICECAST_SOURCE_DEFAULTS.retry.mountInUseFirstMs;
    for (const wait of waits) {
      const step = Math.min(ICECAST_SOURCE_DEFAULTS.retry.mountInUseCapMs, first * 2 ** (wait.attempt - 1));
      expect(wait.delayMs).toBeGreaterThanOrEqual(step / 2);
      expect(wait.delayMs).toBeLessThanOrEqual(step);
    }

    holderFeed.stop();
    await holder.stop();
    const freedAt = performance.now();
    await once(contender, 'streaming', within(10_000));
    expect(performance.now() - freedAt).toBeLessThan(ICECAST_SOURCE_DEFAULTS.retry.mountInUseCapMs + 1_000);

    await suite.servers.icecast.waitForMount(mountPath, 5_000);
    const listener = await listen(`${suite.servers.icecast.url}${mountPath}`);
    suite.cleanups.push(() => listener.close());
    await listener.waitForBytes(16_000, 5_000);
    expect(loopOffset(otherTone, listener.audio())).toBeGreaterThanOrEqual(0);
    const loud = log.lines.filter((line) => line.level === 'error' || line.level === 'warn');
    expect(loud.map((line) => line.code)).toEqual(['ERR_ICECAST_MOUNT_IN_USE']);
  });

  it('stop() ends the stream: Icecast drops the mount and its listeners, and no reconnect follows', async () => {
    const mountPath = '/stop.mp3';
    const source = new IcecastSource({ target: target({ mount: mountPath }), logger: createLogger({ destination: captureLog() }) });
    const feeder = feedPaced(source, suite.tone);
    suite.cleanups.push(() => feeder.stop());
    const states: string[] = [];
    source.on('state', (state) => states.push(state.status));
    source.start();
    await once(source, 'streaming', within(10_000));
    await suite.servers.icecast.waitForMount(mountPath, 5_000);
    const listener = await listen(`${suite.servers.icecast.url}${mountPath}`);
    suite.cleanups.push(() => listener.close());
    await listener.waitForBytes(1_000, 5_000);

    const disconnected = once(source, 'disconnected', within(10_000));
    await source.stop();
    expect(await disconnected).toEqual([undefined]);
    await listener.waitForDisconnect(5_000);
    await waitUntil(async () => !(await suite.servers.icecast.status()).sources.some((s) => s.mount === mountPath), 5_000);
    expect(states).toEqual(['connecting', 'streaming', 'stopped']);
    expect(source.write(suite.tone.subarray(0, 100))).toBe(false);
  });
});

/** Polls `condition` every 20 ms; rejects after timeoutMs. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
