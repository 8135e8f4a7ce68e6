import { pbkdf2, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AudioTooLargeError,
  AudioUnavailableError,
  AudioUrlExpiredError,
  DownloadError,
  DownloadWriteError,
  downloadToFile,
  type DownloadLimits,
} from '../../src/download/index.js';
import { createLogger } from '../../src/log/index.js';
import { makeTempDir } from '../support/tmp.js';

/** Stands in for the music CDN: each test installs its own handler; every request is counted. */
let handler: (request: IncomingMessage, response: ServerResponse) => void;
let requests = 0;
let server: Server;
let base: string;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

/** Fast timeouts and retries, so failure cases take well under a second. */
const quick: Partial<DownloadLimits> = { connectTimeoutMs: 1_000, idleTimeoutMs: 300, totalTimeoutMs: 10_000, retryFirstDelayMs: 10, retryCapDelayMs: 20 };

let temp: { dir: string; remove: () => Promise<void> };
let logLines: string[];
const logger = () => createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  requests = 0;
  logLines = [];
  temp = await makeTempDir('download');
});

afterEach(async () => {
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  for (const socket of sockets) socket.destroy();
  await temp.remove();
});

function serveBytes(body: Buffer, headers: Record<string, string> = {}): void {
  handler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/mp4', 'content-length': String(body.length), ...headers });
    response.end(body);
  };
}

/** Writes `body` at `bytesPerSecond` in 20 ms slices, the way a slow CDN edge delivers. */
function serveThrottled(body: Buffer, bytesPerSecond: number): void {
  handler = (_request, response) => {
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
    timers.add(timer);
  };
}

const dest = () => join(temp.dir, 'song.m4a');
const leftovers = async () => (await readdir(temp.dir)).filter((name) => name !== 'song.m4a');

describe('downloadToFile against a local HTTP server', () => {
  it('writes the whole file byte for byte and reports its size', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    serveBytes(body);
    const result = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: quick });
    expect(result).toMatchObject({ path: dest(), bytes: body.length, attempts: 1 });
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('logs the speed at the end without the signed query string', async () => {
    serveBytes(randomBytes(4096));
    await downloadToFile({ url: `${base}/a.m4a?vkey=SECRETSIGNATURE&guid=1`, dest: dest(), logger: logger(), limits: quick });
    const finished = logLines.map((line) => JSON.parse(line)).find((event) => event.msg === 'download finished');
    expect(finished).toMatchObject({ level: 'debug', bytes: 4096, url: `${base}/a.m4a?…` });
    expect(finished.bytesPerSecond).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain('SECRETSIGNATURE');
  });

  it('maps 403 and 410 to AudioUrlExpiredError at once, without retrying, and keeps the signature out of the message', async () => {
    for (const status of [403, 410]) {
      requests = 0;
      handler = (_request, response) => response.writeHead(status).end();
      const error = await downloadToFile({ url: `${base}/a.m4a?sign=SECRETSIGNATURE`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
      expect(error).toBeInstanceOf(AudioUrlExpiredError);
      expect(error).toMatchObject({ code: 'ERR_AUDIO_URL_EXPIRED', status });
      expect(error.message).not.toContain('SECRETSIGNATURE');
      expect(requests).toBe(1);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('maps 404 and other 4xx to AudioUnavailableError without retrying', async () => {
    for (const status of [404, 400, 451]) {
      requests = 0;
      handler = (_request, response) => response.writeHead(status).end('nope');
      const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
      expect(error).toBeInstanceOf(AudioUnavailableError);
      expect(error.status).toBe(status);
      expect(requests).toBe(1);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('never lets an error answer escape as an uncaught exception, even while the disk is slow to open the file', async () => {
    // Regression: the request used to start while the temp file was being opened, before pipeline() listened
    // for its errors. Busy libuv threads (pbkdf2 uses them, as file opens do) hold the open back reliably.
    handler = (_request, response) => response.writeHead(404).end('not here');
    const busy = Array.from({ length: 8 }, () => new Promise((resolve) => pbkdf2('x', 'salt', 200_000, 32, 'sha256', resolve)));
    await expect(downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: quick })).rejects.toBeInstanceOf(AudioUnavailableError);
    await Promise.all(busy);
  });

  it('retries a 5xx and succeeds when the server recovers', async () => {
    const body = randomBytes(10_000);
    handler = (_request, response) => {
      if (requests < 3) response.writeHead(503).end();
      else response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    };
    const result = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 2 } });
    expect(result.attempts).toBe(3);
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('gives up with a retryable DownloadError after the retries', async () => {
    handler = (_request, response) => response.writeHead(500).end();
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 2 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'ERR_DOWNLOAD', status: 500, retryable: true });
    expect(requests).toBe(3);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('fails with DownloadError within the idle timeout when the server stalls mid-body', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(randomBytes(30_000)); // …and then nothing, with the connection left open
    };
    const started = performance.now();
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 0 } }).catch((e) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.message).toMatch(/stalled: no data for 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('fails with DownloadError when the server hangs up before the announced length', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(randomBytes(30_000), () => setTimeout(() => response.socket?.destroy(), 20));
    };
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, retries: 0 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('completes a download delivered at a throttled 1 MB/s, since data keeps arriving', async () => {
    const body = randomBytes(1_500_000);
    serveThrottled(body, 1_000_000);
    const result = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: quick });
    expect(result.durationMs).toBeGreaterThan(1_200); // it really was throttled
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('stops a slow download at the total time bound even though data keeps arriving', async () => {
    serveThrottled(randomBytes(1_000_000), 200_000);
    const error = await downloadToFile({
      url: `${base}/a.m4a`,
      dest: dest(),
      logger: logger(),
      limits: { ...quick, totalTimeoutMs: 500, retries: 0 },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.message).toMatch(/took longer than the 500 ms limit/);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('refuses a file whose Content-Length is over the limit before downloading it', async () => {
    serveBytes(randomBytes(50_000));
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, maxBytes: 10_000 } }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioTooLargeError);
    expect(error).toBeInstanceOf(AudioUnavailableError);
    expect(error.message).toMatch(/is 50000 bytes \(Content-Length\), over the 10000 bytes download limit/);
    expect(requests).toBe(1);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('stops a body without Content-Length as soon as it passes the limit', async () => {
    handler = (_request, response) => {
      response.writeHead(200); // chunked: no length announced
      const timer = setInterval(() => response.write(randomBytes(4096)), 5);
      timers.add(timer);
    };
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), limits: { ...quick, maxBytes: 20_000 } }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioTooLargeError);
    expect(error.message).toMatch(/was still sending after \d+ bytes/);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('stops when aborted, rejecting with the abort and leaving no file', async () => {
    serveThrottled(randomBytes(1_000_000), 200_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: dest(), signal: controller.signal, logger: logger(), limits: quick }).catch((e) => e);
    expect(error.name).toBe('AbortError');
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('retries a refused connection, then fails with DownloadError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await downloadToFile({ url: `http://127.0.0.1:${port}/a.m4a`, dest: dest(), logger: logger(), limits: quick }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(logLines.filter((line) => line.includes('download failed: retrying'))).toHaveLength(2);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('follows a CDN redirect to the file', async () => {
    const body = randomBytes(20_000);
    handler = (request, response) => {
      if (request.url?.startsWith('/a.m4a')) response.writeHead(302, { location: '/edge/a.m4a?edge=1' }).end();
      else response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    };
    await downloadToFile({ url: `${base}/a.m4a?vkey=1`, dest: dest(), logger: logger(), limits: quick });
    expect((await readFile(dest())).equals(body)).toBe(true);
    expect(requests).toBe(2);
  });

  it('fails with DownloadWriteError, not retried, when the destination cannot be written', async () => {
    serveBytes(randomBytes(1000));
    const error = await downloadToFile({ url: `${base}/a.m4a`, dest: join(temp.dir, 'missing', 'song.m4a'), logger: logger(), limits: quick }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadWriteError);
    expect(error.message).toMatch(/could not write the downloaded audio to .*missing\/song\.m4a.*; check free space and permissions/);
  });

  it('rejects an unknown option up front', async () => {
    await expect(downloadToFile({ url: `${base}/a.m4a`, dest: dest(), logger: logger(), timeout: 5 } as never)).rejects.toThrow(/unknown option\(s\) timeout/);
  });

  it('refuses a URL that is not http(s) without touching the network', async () => {
    const error = await downloadToFile({ url: 'file:///etc/passwd', dest: dest(), logger: logger() }).catch((e) => e);
    expect(error).toBeInstanceOf(AudioUnavailableError);
  });
});
