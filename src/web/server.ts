import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/index.js';
import { followEvents, type EventFollower, type Station, type Store } from '../store/index.js';
import { ListenerCounts, type FetchListeners } from './listener-counts.js';
import { NowPlayingWatch } from './now-playing-watch.js';
import { MAX_SSE_CLIENTS, SSE_HEARTBEAT_MS, SSE_RETRY_MS, sseComment, sseEvent } from './sse.js';
import type { StaticFile } from './static-files.js';
import { readStationView, type StationView } from './station-view.js';

/** An event stream whose unsent output grows past this is a client that stopped reading: it is dropped. */
const MAX_SSE_BUFFER_BYTES = 256 * 1024;

export interface WebServerOptions {
  readonly store: Store;
  readonly host: string;
  readonly port: number;
  readonly icecastPublicUrl: string;
  readonly fetchListeners: FetchListeners;
  readonly staticFiles: ReadonlyMap<string, StaticFile>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly maxSseClients?: number;
  /** Between heartbeat comments on the event streams; SSE_HEARTBEAT_MS unless a test wants it shorter. */
  readonly heartbeatMs?: number;
}

/** An error answer: `{"error":{"code":"not-found","message":"…"}}`. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // The pages are read-only and public; any site may read the API (GET only, no credentials).
  'Access-Control-Allow-Origin': '*',
};

/**
 * The pages may load only their own files; the audio comes from Icecast, wherever ICECAST_PUBLIC_URL points,
 * and covers from the music services.
 */
const PAGE_CSP = "default-src 'self'; media-src * blob:; img-src * data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * `relaycast web`: the stations' JSON API, their now-playing as Server-Sent Events, and a page per station.
 * Read-only: it answers GET and HEAD and changes nothing in Redis.
 */
export class WebServer {
  readonly #options: WebServerOptions;
  readonly #server: Server;
  readonly #listeners: ListenerCounts;
  readonly #watch: NowPlayingWatch;
  readonly #streams = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;
  #events: EventFollower | undefined;

  constructor(options: WebServerOptions) {
    this.#options = options;
    const now = options.now ?? Date.now;
    this.#listeners = new ListenerCounts(options.fetchListeners, now);
    this.#watch = new NowPlayingWatch({ read: (name) => this.#viewOrNull(name), logger: options.logger });
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => this.#fail(response, error));
    });
  }

  /** Listens, and follows the store's events so a skip or a queue edit is read at once. Returns the URL. */
  async listen(): Promise<string> {
    this.#events = followEvents(this.#options.store.redis, { onEvent: (event) => this.#watch.poke(event.station) });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const url = this.url;
    this.#options.logger.info({ event: 'web.listening', url }, 'web listening');
    return url;
  }

  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Ends every event stream and stops listening. */
  async close(): Promise<void> {
    this.#events?.close();
    clearInterval(this.#heartbeat);
    await this.#watch.stop();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error: { code: 'method-not-allowed', message: 'this service is read-only: GET only' } }));
      return;
    }
    const segments = pathSegments(request.url ?? '/');
    if (segments === null) throw new HttpProblem(400, 'bad-path', 'the path is not valid percent-encoded UTF-8');
    if (segments[0] === 'api') return this.#api(segments.slice(1), request, response);
    if (segments.length === 0) return this.#file(response, 'index.html');
    if (segments[0] === 'static' && segments.length === 2) return this.#file(response, segments[1]!);
    if (segments.length === 1) {
      await this.#station(segments[0]!);
      return this.#file(response, 'station.html');
    }
    throw new HttpProblem(404, 'not-found', 'no such page');
  }

  async #api(segments: string[], request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (segments[0] !== 'stations' || segments.length > 3) throw new HttpProblem(404, 'not-found', 'no such API path: see /api/stations');
    if (segments.length === 1) {
      const stations = await this.#options.store.stations.list();
      const listeners = await this.#listeners.current();
      const views: StationView[] = [];
      for (const station of stations) views.push(await this.#readView(station, listeners));
      return sendJson(response, views);
    }
    const name = segments[1]!;
    if (segments.length === 2) return sendJson(response, await this.#view(name));
    if (segments[2] === 'events') return this.#stream(name, request, response);
    throw new HttpProblem(404, 'not-found', 'no such API path: see /api/stations');
  }

  async #stream(name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#streams.size >= (this.#options.maxSseClients ?? MAX_SSE_CLIENTS)) {
      response.setHeader('Retry-After', '10');
      throw new HttpProblem(503, 'too-many-streams', 'too many event streams are open: try again later');
    }
    const view = await this.#view(name);
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // nginx buffers proxied answers unless told not to: events would arrive in bursts.
      'X-Accel-Buffering': 'no',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    this.#streams.add(response);
    const send = (text: string) => {
      if (response.writableEnded) return;
      response.write(text);
      if (response.writableLength > MAX_SSE_BUFFER_BYTES) response.destroy();
    };
    send(`retry: ${SSE_RETRY_MS}\n\n${sseEvent('now-playing', JSON.stringify(view))}`);
    const unwatch = this.#watch.watch(name, view, {
      onView: (changed) => send(sseEvent('now-playing', JSON.stringify(changed))),
      onGone: () => {
        send(sseEvent('station-removed', JSON.stringify({ name })));
        response.end();
      },
    });
    response.once('close', () => {
      unwatch();
      this.#streams.delete(response);
      if (this.#streams.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
      }
    });
    // One timer for every stream: the number of timers does not grow with the visitors.
    this.#heartbeat ??= setInterval(() => {
      for (const stream of this.#streams) {
        stream.write(sseComment('heartbeat'));
        if (stream.writableLength > MAX_SSE_BUFFER_BYTES) stream.destroy();
      }
    }, this.#options.heartbeatMs ?? SSE_HEARTBEAT_MS);
  }

  /** The station, or a 404 problem. */
  async #station(name: string): Promise<Station> {
    try {
      return await this.#options.store.stations.get(name);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // A name the store refuses (too long, control characters) names no station either.
      if (code === 'ERR_NOT_FOUND' || code === 'ERR_VALIDATION') throw new HttpProblem(404, 'station-not-found', `no station named ${JSON.stringify(name)}`);
      throw error;
    }
  }

  async #view(name: string): Promise<StationView> {
    return this.#readView(await this.#station(name), await this.#listeners.current());
  }

  /** The station's view, or null once it no longer exists (for the watch). */
  async #viewOrNull(name: string): Promise<StationView | null> {
    try {
      return await this.#view(name);
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 404) return null;
      throw error;
    }
  }

  #readView(station: Station, listeners: Map<string, number> | null): Promise<StationView> {
    return readStationView(this.#options.store, station, listeners, {
      now: (this.#options.now ?? Date.now)(),
      icecastPublicUrl: this.#options.icecastPublicUrl,
    });
  }

  #file(response: ServerResponse, name: string): void {
    const file = this.#options.staticFiles.get(name);
    if (!file) throw new HttpProblem(404, 'not-found', 'no such file');
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': PAGE_CSP,
      'Referrer-Policy': 'no-referrer',
    });
    response.end(response.req.method === 'HEAD' ? undefined : file.body);
  }

  #fail(response: ServerResponse, error: unknown): void {
    const problem = problemOf(error);
    if (problem.status >= 500) this.#options.logger.warn({ event: 'web.request-failed', status: problem.status, err: error }, 'request failed');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, { error: { code: problem.code, message: problem.message } }, problem.status);
  }
}

/** The answer to an error: its own for an HttpProblem, 404 for a station gone meanwhile, 503 while Redis is away. */
function problemOf(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  switch ((error as { code?: string }).code) {
    case 'ERR_NOT_FOUND':
      return new HttpProblem(404, 'station-not-found', 'no such station');
    case 'ERR_STORE_UNAVAILABLE':
      return new HttpProblem(503, 'store-unavailable', 'the stations cannot be read right now (Redis is away): try again shortly');
    default:
      return new HttpProblem(500, 'internal', 'something went wrong reading the stations');
  }
}

function sendJson(response: ServerResponse, value: unknown, status = 200): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  response.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/**
 * The decoded segments of a request path (`/api/stations/%E6%99%9A%E9%97%B4` → api, stations, 晚间), or null
 * when one is not valid percent-encoding. Split before decoding, so a station named `a/b` is one segment (`a%2Fb`).
 */
export function pathSegments(url: string): string[] | null {
  const path = url.split(/[?#]/, 1)[0]!;
  try {
    return path.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}
