import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One byte per this many ms: the "1 byte/s" source of the fault tests. */
const TRICKLE_INTERVAL_MS = 1_000;
/** Bodies fetched from the relay to trickle are local test tones; anything bigger is a mistake. */
const RELAY_BODY_LIMIT = 8 * 1024 * 1024;

/** The faulty answers, by path. */
export const CDN_PATHS = {
  /** 200 with the whole MP3's length announced, then one byte per second. */
  trickle: '/trickle.mp3',
  /** 200 and audio headers, then not one byte. */
  stall: '/stall.mp3',
  forbidden: '/forbidden.mp3',
  /** 200 with an HTML page, as a captive portal or an error page served under the audio URL. */
  page: '/page.mp3',
} as const;

export interface FaultyCdnOptions {
  /** The MP3 the audio answers stand for. */
  readonly audio: Buffer;
  /** The real relay whose `/v1/files/<token>` URLs this server stands in front of (its RELAY_PUBLIC_URL). */
  readonly relayPort?: number;
  /** Relay files (by library path) to trickle instead of passing on. */
  readonly trickleRelayFile?: (relPath: string) => boolean;
}

export interface FaultyCdn {
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly paths: string[];
  /** Relay files (library paths) it began to trickle, in order. */
  readonly trickled: string[];
  close(): Promise<void>;
}

/**
 * A CDN on 127.0.0.1 that fails the ways real ones do (see CDN_PATHS), and optionally a hop in front of a
 * real relay's file URLs that makes chosen songs trickle, as a CDN does for a song the relay resolved.
 */
export async function startFaultyCdn(options: FaultyCdnOptions): Promise<FaultyCdn> {
  const paths: string[] = [];
  const trickled: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    if (path.startsWith('/v1/files/') && options.relayPort !== undefined) {
      const file = relayFilePath(path);
      const slow = options.trickleRelayFile?.(file) === true;
      if (slow) trickled.push(file);
      forwardToRelay(req, res, options.relayPort, slow);
      return;
    }
    const audioHeaders = { 'content-type': 'audio/mpeg', 'content-length': String(options.audio.length) };
    if (path === CDN_PATHS.trickle) trickle(res, 200, audioHeaders, options.audio);
    else if (path === CDN_PATHS.stall) res.writeHead(200, audioHeaders).flushHeaders();
    else if (path === CDN_PATHS.forbidden) res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden');
    else if (path === CDN_PATHS.page) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML_PAGE);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    trickled,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body><p>Please sign in.</p></body></html>\n';

/** The library path inside a relay file token: `<base64url JSON [path, expiry]>.<signature>` (src/relay/file-url.ts). */
function relayFilePath(path: string): string {
  const payload = path.slice('/v1/files/'.length).split(/[.?]/)[0] ?? '';
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return Array.isArray(claims) && typeof claims[0] === 'string' ? claims[0] : '';
  } catch {
    return '';
  }
}

function forwardToRelay(req: IncomingMessage, res: ServerResponse, relayPort: number, slow: boolean): void {
  const upstream = request({ host: '127.0.0.1', port: relayPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
    if (!slow) {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    answer.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > RELAY_BODY_LIMIT) answer.destroy(new Error(`relay file over ${RELAY_BODY_LIMIT} bytes`));
      else chunks.push(chunk);
    });
    answer.on('end', () => trickle(res, answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)));
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/** Sends the headers at once, then `body` one byte per TRICKLE_INTERVAL_MS until it ends or the client leaves. */
function trickle(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): void {
  res.writeHead(status, headers).flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= body.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(body.subarray(sent, sent + 1));
    sent += 1;
  }, TRICKLE_INTERVAL_MS);
  res.on('close', () => clearInterval(timer));
}
