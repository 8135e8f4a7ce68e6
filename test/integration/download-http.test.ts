import { pbkdf2, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AudioTooLargeError,
  AudioUnavailableError,
  AudioUrlExpiredError,
  DownloadDeadlineError,
  DownloadError,
  DownloadWriteError,
  downloadToFile,
  type DownloadLimits,
} from '../../src/download/index.js';
import { createLogger } from '../../src/log/index.js';
import { useCdnServer } from '../support/cdn-server.js';
import { freePort } from '../support/ports.js';
import { makeTempDir } from '../support/tmp.js';

const server = useCdnServer();

/** Fast timeouts and retries, so failure cases take well under a second. */
const quick: Partial<DownloadLimits> = { connectTimeoutMs: 1_000, idleTimeoutMs: 300, allAttemptsTimeoutMs: 10_000, retryFirstDelayMs: 10, retryCapDelayMs: 20 };

let temp: { dir: string; remove: () => Promise<void> };
let logLines: string[];
const logger = () => createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });

beforeEach(async () => {
  logLines = [];
  temp = await makeTempDir('download');
});

afterEach(async () => {
  await temp.remove();
});

function serveBytes(body: Buffer, headers: Record<string, string> = {}): void {
  server().handler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/mp4', 'content-length': String(body.length), ...headers });
    response.end(body);
  };
}

/** Writes `body` at `bytesPerSecond` in 20 ms slices, the way a slow CDN edge delivers. */
function serveThrottled(body: Buffer, bytesPerSecond: number): void {
  server().handler = (_request, response) => {
    response.writeHead(200, { 'content-length': String(body.length) });
    const slice = Math.ceil(bytesPerSecond / 50);
    let offset = 0;
    const timer = setInterval(() => {
      response.write(body.subarray(offset, offset + slice));
      offset += slice;
      if (offset >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, 20);
    server().timers.add(timer);
  };
}

const dest = () => join(temp.dir, 'song.m4a');
const leftovers = async () => (await readdir(temp.dir)).filter((name) => name !== 'song.m4a');

describe('downloadToFile against a local HTTP server', () => {
  it('writes the whole file byte for byte and reports its size', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    serveBytes(body);
    const result = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: quick });
    expect(result).toMatchObject({ path: dest(), bytes: body.length, attempts: 1 });
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('logs the speed at the end without the signed query string', async () => {
    serveBytes(randomBytes(4096));
    await downloadToFile({ url: `${server().base}/a.m4a?vkey=SECRETSIGNATURE&guid=1`, dest: dest(), logger: logger(), limits: quick });
    const finished = logLines.map((line) => JSON.parse(line)).find((event) => event.msg === 'download finished');
    expect(finished).toMatchObject({ level: 'debug', bytes: 4096, url: `${server().base}/a.m4a?…` });
    expect(finished.bytesPerSecond).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain('SECRETSIGNATURE');
  });

  it('maps 403 and 410 to AudioUrlExpiredError at once, without retrying, and keeps the signature out of the message', async () => {
    for (const status of [403, 410]) {
      server().requests = 0;
      server().handler = (_request, response) => response.writeHead(status).end();
      const error = await downloadToFile({ url: `${server().base}/a.m4a?sign=SECRETSIGNATURE`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
      expect(error).toBeInstanceOf(AudioUrlExpiredError);
      expect(error).toMatchObject({ code: 'ERR_AUDIO_URL_EXPIRED', status });
      expect(error.message).not.toContain('SECRETSIGNATURE');
      expect(server().requests).toBe(1);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('maps 404 and other 4xx to AudioUnavailableError without retrying', async () => {
    for (const status of [404, 400, 451]) {
      server().requests = 0;
      server().handler = (_request, response) => response.writeHead(status).end('nope');
      const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
      expect(error).toBeInstanceOf(AudioUnavailableError);
      expect(error.status).toBe(status);
      expect(server().requests).toBe(1);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('never lets an error answer escape as an uncaught exception, even while the disk is slow to open the file', async () => {
    // Regression: the request used to start while the temp file was being opened, before pipeline() listened
    // for its errors. Busy libuv threads (pbkdf2 uses them, as file opens do) hold the open back reliably.
    server().handler = (_request, response) => response.writeHead(404).end('not here');
    const busy = Array.from({ length: 8 }, () => new Promise((resolve) => pbkdf2('x', 'salt', 200_000, 32, 'sha256', resolve)));
    await expect(downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: quick })).rejects.toBeInstanceOf(AudioUnavailableError);
    await Promise.all(busy);
  });

  it('retries a 5xx and succeeds when the server recovers', async () => {
    const body = randomBytes(10_000);
    server().handler = (_request, response) => {
      if (server().requests < 3) response.writeHead(503).end();
      else response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    };
    const result = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 2 } });
    expect(result.attempts).toBe(3);
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('gives up with a retryable DownloadError after the retries', async () => {
    server().handler = (_request, response) => response.writeHead(500).end();
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 2 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'ERR_DOWNLOAD', status: 500, retryable: true });
    expect(server().requests).toBe(3);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('fails with DownloadError within the idle timeout when the server stalls mid-body', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(randomBytes(30_000)); // …and then nothing, with the connection left open
    };
    const started = performance.now();
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 0 } }).catch((e) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error).toMatchObject({ deadline: 'idle', retryable: true });
    expect(error.message).toMatch(/stalled: no data for the 300 ms idle deadline/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('fails with DownloadError when the server hangs up before the announced length', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(randomBytes(30_000), () => setTimeout(() => response.socket?.destroy(), 20));
    };
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 0 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('completes a download delivered at a throttled 1 MB/s, since data keeps arriving', async () => {
    const body = randomBytes(1_500_000);
    serveThrottled(body, 1_000_000);
    const result = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: quick });
    expect(result.durationMs).toBeGreaterThan(1_200); // it really was throttled
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('stops a slow download at the all-attempts bound even though data keeps arriving above the minimum rate', async () => {
    serveThrottled(randomBytes(1_000_000), 200_000);
    const error = await downloadToFile({
      url: `${server().base}/a.m4a`,
      dest: dest(),
      logger: logger(),
      limits: { ...quick, allAttemptsTimeoutMs: 500, retries: 0 },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(error.message).toMatch(/gave up at the 500 ms limit for all its attempts together/);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('refuses a file whose Content-Length is over the limit before downloading it', async () => {
    serveBytes(randomBytes(50_000));
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, maxBytes: 10_000 } }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioTooLargeError);
    expect(error).toBeInstanceOf(AudioUnavailableError);
    expect(error.message).toMatch(/is 50000 bytes \(Content-Length\), over the 10000 bytes download limit/);
    expect(server().requests).toBe(1);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('stops a body without Content-Length as soon as it passes the limit', async () => {
    server().handler = (_request, response) => {
      response.writeHead(200); // chunked: no length announced
      const timer = setInterval(() => response.write(randomBytes(4096)), 5);
      server().timers.add(timer);
    };
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, maxBytes: 20_000 } }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioTooLargeError);
    expect(error.message).toMatch(/was still sending after \d+ bytes/);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('stops when aborted, rejecting with the abort and leaving no file', async () => {
    serveThrottled(randomBytes(1_000_000), 200_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), signal: controller.signal, logger: logger(), limits: quick }).catch((e) => e);
    expect(error.name).toBe('AbortError');
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('retries a refused connection, then fails with DownloadError', async () => {
    const port = await freePort();
    const error = await downloadToFile({ url: `http://127.0.0.1:${port}/a.m4a`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(logLines.filter((line) => line.includes('download failed: retrying'))).toHaveLength(2);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('follows a CDN redirect to the file', async () => {
    const body = randomBytes(20_000);
    server().handler = (request, response) => {
      if (request.url?.startsWith('/a.m4a')) response.writeHead(302, { location: '/edge/a.m4a?edge=1' }).end();
      else response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    };
    await downloadToFile({ url: `${server().base}/a.m4a?vkey=1`, dest: dest(), logger: logger(), limits: quick });
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(server().requests).toBe(2);
  });

  it('fails with DownloadWriteError, not retried, when the destination cannot be written', async () => {
    serveBytes(randomBytes(1000));
    const error = await downloadToFile({ url: `${server().base}/a.m4a`, dest: join(temp.dir, 'missing', 'song.m4a'), logger: logger(), limits: quick }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadWriteError);
    expect(error.message).toMatch(/could not write the downloaded audio to .*missing\/song\.m4a.*; check free space and permissions/);
  });

  it('rejects an unknown option up front', async () => {
    await expect(downloadToFile({ url: `${server().base}/a.m4a`, dest: dest(), logger: logger(), timeout: 5 } as never)).rejects.toThrow(/unknown option\(s\) timeout/);
  });

  it('refuses a URL that is not http(s) without touching the network', async () => {
    const error = await downloadToFile({ url: 'file:///etc/passwd', dest: dest(), logger: logger() }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioUnavailableError);
  });
});
