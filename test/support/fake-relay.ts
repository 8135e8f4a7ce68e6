import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake answers to one request: a status and a body (objects are sent as JSON). */
export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Wait this long before answering (to test timeouts). */
  readonly delayMs?: number;
}

export interface FakeRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

export interface FakePlaylistSong {
  readonly ref: string;
  readonly title: string;
  readonly artist: string;
}

export interface FakeRelayOptions {
  /** Required bearer token; requests without it get 401. */
  readonly token?: string;
  /** Answer for a song ref; undefined → the default playable answer. */
  readonly song?: (ref: string, request: FakeRequest) => FakeAnswer | undefined;
  readonly playlists?: Record<string, { name: string; songs: FakePlaylistSong[] }>;
  /** Overrides everything when it returns an answer. */
  readonly route?: (request: FakeRequest) => FakeAnswer | undefined;
}

export interface FakeRelay {
  readonly url: string;
  readonly requests: FakeRequest[];
  stop(): Promise<void>;
}

export function playableSong(ref: string, now = Date.now()): FakeAnswer {
  return {
    status: 200,
    body: {
      ref,
      title: `Title of ${ref}`,
      artists: [`Artist of ${ref}`],
      artist: `Artist of ${ref}`,
      album: 'Album',
      durationMs: 200_000,
      coverUrl: null,
      audio: { url: `http://127.0.0.1:9/audio/${encodeURIComponent(ref)}.mp3?key=secret`, format: 'mp3', bitrate: 320_000, expiresAt: now + 1_200_000 },
    },
  };
}

export function unplayableSong(ref: string, reason = 'no-rights', status = 422, retryable = false): FakeAnswer {
  return { status, body: { ref, error: { reason, retryable, message: `${ref} is ${reason}` } } };
}

/** A stand-in for the relay's HTTP API on 127.0.0.1 (a random port), answering from the options. */
export async function startFakeRelay(options: FakeRelayOptions = {}): Promise<FakeRelay> {
  const requests: FakeRequest[] = [];

  function answerFor(request: FakeRequest): FakeAnswer {
    const routed = options.route?.(request);
    if (routed) return routed;
    if (options.token && request.authorization !== `Bearer ${options.token}`) {
      return { status: 401, body: { error: { reason: 'unauthorized', retryable: false, message: 'bad token' } } };
    }
    const song = /^\/v1\/songs\/([^/]+)$/.exec(request.path);
    if (song) {
      const ref = decodeURIComponent(song[1] as string);
      return options.song?.(ref, request) ?? playableSong(ref);
    }
    const playlist = /^\/v1\/playlists\/([^/]+)$/.exec(request.path);
    if (playlist) {
      const ref = decodeURIComponent(playlist[1] as string);
      const found = options.playlists?.[ref];
      if (!found) return { status: 404, body: { ref, error: { reason: 'not-found', retryable: false, message: 'no such playlist' } } };
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 100);
      const songs = found.songs.slice(offset, offset + limit).map((entry) => ({ ...entry, artists: [entry.artist], durationMs: 180_000 }));
      return { status: 200, body: { ref, name: found.name, total: found.songs.length, offset, limit, songs } };
    }
    return { status: 404, body: '<html>not found</html>' };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: FakeRequest = { path: url.pathname, query: url.searchParams, authorization: req.headers.authorization };
    requests.push(request);
    const answer = answerFor(request);
    const send = () => {
      if (res.destroyed) return;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/html' : 'application/json' });
      res.end(text);
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
