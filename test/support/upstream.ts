import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Recorded responses of the music APIs (../shared/reference/recorded-responses/ next to the repo) and a
 * real HTTP server on 127.0.0.1 that plays them back: the one place tests stand in for an upstream.
 */
export const RECORDED_DIR = fileURLToPath(new URL('../../../shared/reference/recorded-responses/', import.meta.url));

export interface RecordedCase {
  file: string;
  provider: string;
  relay: string;
  endpoint: string;
  /** A number, or a note such as "unknown (200 or 400)" when the source did not say. */
  httpStatus: number | string;
  contentType: string;
  kind: 'url' | 'metadata' | 'playlist' | 'any';
  expect: Record<string, unknown> & { outcome?: string };
  note?: string;
}

let manifest: Promise<RecordedCase[]> | undefined;

export function loadRecordedCases(): Promise<RecordedCase[]> {
  manifest ??= readFile(`${RECORDED_DIR}cases.json`, 'utf8').then((text) => (JSON.parse(text) as { cases: RecordedCase[] }).cases);
  return manifest;
}

export function readRecorded(file: string): Promise<string> {
  return readFile(`${RECORDED_DIR}${file}`, 'utf8');
}

/** HTTP statuses a case was recorded with (both when the source left it open). */
export function statusesOf(recorded: RecordedCase): number[] {
  if (typeof recorded.httpStatus === 'number') return [recorded.httpStatus];
  return [...recorded.httpStatus.matchAll(/\b[1-5]\d\d\b/g)].map((match) => Number(match[0]));
}

export interface UpstreamReply {
  status?: number;
  contentType?: string;
  body?: string;
  /** The body's exact bytes (a byte-order mark, say), instead of `body`. */
  bytes?: Buffer;
  /** Sent gzip-encoded, with `content-encoding: gzip`. */
  gzip?: boolean;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow upstream). */
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Announce the whole body, send this many bytes, then reset the connection. */
  resetAfterBytes?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Picks the reply for a request; undefined means "no such route" (an Express-style 404 page). */
export type UpstreamRoutes = (request: SeenRequest) => UpstreamReply | undefined;

export interface RecordedUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  setRoutes(routes: UpstreamRoutes): void;
  close(): Promise<void>;
}

/** What the recorded netease-song-detail.json says of netease:29450091. */
export const RECORDED_NETEASE_SONG = Object.freeze({
  ref: 'netease:29450091',
  title: '小宝贝',
  artists: ['夏天播放'],
  album: '私奔丽江',
  durationMs: 192232,
  coverUrl: 'https://p2.music.126.net/zE8AlLt_Fm1BT8LRROIXgg==/109951162949487525.jpg',
});

/** What the recorded netease-song-url-playable.json says of its audio (its expiry depends on the clock). */
export const RECORDED_NETEASE_AUDIO = Object.freeze({
  url: 'http://m10.music.126.net/20180104125640/930a968b3fb04908b733506b3833e60b/ymusic/0fd6/4f65/43ed/a8772889f38dfcb91c04da915b301617.mp3',
  format: 'mp3',
  bitrate: 320000,
  size: 10691439,
});

/** A reply carrying a recorded body, with the status and content type it was recorded with. */
export async function recordedReply(file: string, overrides: Partial<UpstreamReply> = {}): Promise<UpstreamReply> {
  const recorded = (await loadRecordedCases()).find((entry) => entry.file === file);
  if (!recorded) throw new Error(`${file} is not in cases.json`);
  return { status: statusesOf(recorded)[0] ?? 200, contentType: recorded.contentType, body: await readRecorded(file), ...overrides };
}

export async function startRecordedUpstream(initialRoutes: UpstreamRoutes = () => undefined): Promise<RecordedUpstream> {
  let routes = initialRoutes;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const seen = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(seen);
    const reply = routes(seen) ?? {
      status: 404,
      contentType: 'text/html; charset=utf-8',
      body: `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET ${url.pathname}</pre>\n</body>\n</html>\n`,
    };
    if (reply.hang) return;
    const send = () => {
      const raw = reply.bytes ?? Buffer.from(reply.body ?? '');
      const body = reply.gzip ? gzipSync(raw) : raw;
      res.writeHead(reply.status ?? 200, {
        'content-type': reply.contentType ?? 'application/json; charset=utf-8',
        'content-length': body.length,
        ...(reply.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...reply.headers,
      });
      if (reply.resetAfterBytes === undefined) {
        res.end(body);
        return;
      }
      res.write(body.subarray(0, reply.resetAfterBytes), () => res.socket?.destroy());
    };
    if (reply.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
    } else {
      send();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRoutes(next) {
      routes = next;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
