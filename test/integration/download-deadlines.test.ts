import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DownloadDeadlineError,
  DownloadWriteError,
  downloadToFile,
  type DownloadLimits,
} from '../../src/download/index.js';
import { silentLogger } from '../../src/log/index.js';
import { useCdnServer } from '../support/cdn-server.js';
import { makeTempDir } from '../support/tmp.js';

const run = promisify(execFile);

/**
 * Each deadline is measured from what the server did (its first byte, its last byte, the request's arrival),
 * and must trip within its bound plus this margin: room for a loaded 2-core machine, far below the minutes
 * an unbounded download used to take.
 */
const MARGIN_MS = 1_500;

const server = useCdnServer();
let temp: { dir: string; remove: () => Promise<void> };

beforeEach(async () => {
  temp = await makeTempDir('download-deadlines');
});

afterEach(async () => {
  await temp.remove();
});

/** Headers at once, then one byte a second: a source that never stalls long enough for an idle timeout. */
function trickle(headers: Record<string, string>): { firstByteAt: () => number } {
  let firstByteAt = NaN;
  server().handler = (_request, response) => {
    response.writeHead(200, headers);
    const send = () => response.write(randomBytes(1), () => (firstByteAt = Number.isNaN(firstByteAt) ? performance.now() : firstByteAt));
    send();
    const timer = setInterval(send, 1_000);
    server().timers.add(timer);
  };
  return { firstByteAt: () => firstByteAt };
}

const download = (limits: Partial<DownloadLimits>, dest = join(temp.dir, 'song.m4a')) =>
  downloadToFile({ url: `${server().base}/a.m4a?sig=SECRET`, dest, logger: silentLogger(), limits }).catch((error: unknown) => error);

describe('download deadlines against a local HTTP server', () => {
  it.each([
    ['with a Content-Length far larger than it will ever send', { 'content-length': '5000000' }],
    ['without a Content-Length', {}],
  ])('cuts a source trickling 1 byte/s %s at the minimum rate, after the grace', async (_case, headers) => {
    const source = trickle(headers);
    const error = await download({ minRateGraceMs: 1_000, retries: 0 });
    const sinceFirstByte = performance.now() - source.firstByteAt();
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'min-rate', code: 'ERR_DOWNLOAD', retryable: true });
    expect((error as DownloadDeadlineError).bytesPerSecond).toBeLessThan(100);
    expect((error as Error).message).toMatch(/is too slow: \d+ bytes in \d+ ms \(\d+ B\/s\), under the minimum 32768 B\/s/);
    expect((error as Error).message).not.toContain('SECRET');
    expect(sinceFirstByte).toBeGreaterThanOrEqual(900);
    expect(sinceFirstByte).toBeLessThan(1_000 + MARGIN_MS);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('cuts a server that sends headers and then nothing at the first-byte deadline', async () => {
    let arrivedAt = NaN;
    server().handler = (_request, response) => {
      arrivedAt = performance.now();
      response.writeHead(200, { 'content-length': '100000' });
      response.flushHeaders();
    };
    const error = await download({ firstByteTimeoutMs: 1_000, retries: 0 });
    const sinceRequest = performance.now() - arrivedAt;
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'first-byte', bytes: 0 });
    expect((error as Error).message).toMatch(/sent no audio within the 1000 ms first-byte deadline/);
    expect(sinceRequest).toBeGreaterThanOrEqual(800);
    expect(sinceRequest).toBeLessThan(1_000 + MARGIN_MS);
  });

  it('cuts a server that sends half the file and then stalls at the idle deadline, reporting the rate so far', async () => {
    let lastByteAt = NaN;
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-length': '400000' });
      response.write(randomBytes(200_000), () => (lastByteAt = performance.now()));
    };
    const error = await download({ idleTimeoutMs: 1_000, retries: 0 });
    const sinceLastByte = performance.now() - lastByteAt;
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'idle', bytes: 200_000 });
    expect((error as Error).message).toMatch(/stalled: no data for the 1000 ms idle deadline, after 200000 bytes in \d+ ms \(\d+ B\/s\)/);
    expect(sinceLastByte).toBeGreaterThanOrEqual(800);
    expect(sinceLastByte).toBeLessThan(1_000 + MARGIN_MS);
  });

  it('bounds a body of known size by its size at the minimum rate, even while bytes keep coming', async () => {
    // 100 kB at 50 kB/s would take 2 s; at the 100 kB/s minimum its size allows 1 s.
    const body = randomBytes(100_000);
    let firstByteAt = NaN;
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-length': String(body.length) });
      let offset = 0;
      const timer = setInterval(() => {
        response.write(body.subarray(offset, offset + 1_000), () => (firstByteAt = Number.isNaN(firstByteAt) ? performance.now() : firstByteAt));
        offset += 1_000;
        if (offset >= body.length) clearInterval(timer);
      }, 20);
      server().timers.add(timer);
    };
    const error = await download({ minBytesPerSecond: 100_000, minRateGraceMs: 60_000, sizeDeadlineFloorMs: 500, retries: 0 });
    const sinceFirstByte = performance.now() - firstByteAt;
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'size-at-min-rate', limitMs: 1_000 });
    expect((error as Error).message).toMatch(/of 100000, past the 1000 ms its size allows at the minimum 100000 B\/s/);
    expect((error as DownloadDeadlineError).bytesPerSecond).toBeLessThan(100_000);
    expect(sinceFirstByte).toBeGreaterThanOrEqual(900);
    expect(sinceFirstByte).toBeLessThan(1_000 + MARGIN_MS);
  });

  it('keeps a download that stays above the minimum rate', async () => {
    const body = randomBytes(300_000);
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-length': String(body.length) });
      let offset = 0;
      const timer = setInterval(() => {
        response.write(body.subarray(offset, offset + 6_000));
        offset += 6_000;
        if (offset >= body.length) {
          clearInterval(timer);
          response.end();
        }
      }, 20); // 300 kB/s
      server().timers.add(timer);
    };
    const dest = join(temp.dir, 'song.m4a');
    const result = await downloadToFile({ url: `${server().base}/a.m4a`, dest, logger: silentLogger(), limits: { minBytesPerSecond: 100_000, minRateGraceMs: 500 } });
    expect(result.bytes).toBe(body.length);
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('bounds all attempts together, retries included, by the all-attempts limit', async () => {
    let firstRequestAt = NaN;
    server().handler = (_request, response) => {
      if (Number.isNaN(firstRequestAt)) firstRequestAt = performance.now();
      response.writeHead(200, { 'content-length': '100000' });
      response.flushHeaders();
    };
    const error = await download({ firstByteTimeoutMs: 600, allAttemptsTimeoutMs: 1_500, retries: 10, retryFirstDelayMs: 10, retryCapDelayMs: 20 });
    const sinceFirstRequest = performance.now() - firstRequestAt;
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'all-attempts', limitMs: 1_500 });
    expect((error as Error).message).toMatch(/gave up at the 1500 ms limit for all its attempts together/);
    expect(server().requests).toBeGreaterThanOrEqual(2);
    expect(server().requests).toBeLessThanOrEqual(3);
    expect(sinceFirstRequest).toBeLessThan(1_500 + MARGIN_MS);
  });
});

/**
 * A real full (or read-only) disk: a 200 KiB tmpfs. Mounting needs root (CAP_SYS_ADMIN); without it the
 * test fails and says so rather than skipping.
 */
async function withTmpfs<T>(options: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(temp.dir, 'tmpfs');
  await mkdir(dir);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=200k,${options}`, 'tmpfs', dir]);
  } catch (error) {
    throw new Error(`this test mounts a 200 KiB tmpfs and needs root (CAP_SYS_ADMIN) for it: ${(error as Error).message}`);
  }
  try {
    return await use(dir);
  } finally {
    await run('umount', [dir]);
  }
}

describe('download to a disk that refuses the file', () => {
  it('fails a download onto a full disk with DownloadWriteError (ENOSPC), not retried and not a network error', async () => {
    const body = randomBytes(400_000);
    server().handler = (_request, response) => response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    await withTmpfs('rw', async (dir) => {
      const error = await download({ retries: 2 }, join(dir, 'song.m4a'));
      expect(error).toBeInstanceOf(DownloadWriteError);
      expect(error).toMatchObject({ code: 'ERR_DOWNLOAD_WRITE', errno: 'ENOSPC' });
      expect((error as Error).message).toMatch(/could not write the downloaded audio to .*song\.m4a\..*\.part: .*ENOSPC.*the disk is full/);
      expect(server().requests).toBe(1);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('fails a download onto a read-only disk with DownloadWriteError (EROFS) before asking the server', async () => {
    server().handler = (_request, response) => response.writeHead(200).end('x');
    await withTmpfs('ro', async (dir) => {
      const error = await download({}, join(dir, 'song.m4a'));
      expect(error).toBeInstanceOf(DownloadWriteError);
      expect(error).toMatchObject({ errno: 'EROFS' });
      expect((error as Error).message).toMatch(/read-only/);
      expect(server().requests).toBe(0);
    });
  });
});
