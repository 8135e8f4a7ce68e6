import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/index.js';
import { parseRelayConfig, type RelayConfigInput } from './config.js';
import { NotFoundError, ProviderDisabledError, UpstreamError } from './errors.js';
import { createFileUrlSigner, deriveFileUrlSecret } from './file-url.js';
import { secretOf } from '../secret-file.js';
import { hasBearerOf } from './http/bearer.js';
import { RotatingToken } from './http/rotating-token.js';
import { createClientAddress } from './http/client-address.js';
import { serveLibraryFile } from './http/file-route.js';
import { RateLimiter } from './http/rate-limiter.js';
import { errorReply, playlistReply, resolutionReply, sendJson, type Reply } from './http/replies.js';
import { MusicLibrary } from './providers/local/library.js';
import { resolutionOutcome } from './providers/provider.js';
import type { TagReader } from './providers/local/tags.js';
import { RefSyntaxError } from '../refs/index.js';
import { PageRequestError, createResolver } from './resolver.js';
import type { RelayObserver } from './observer.js';
import { systemWallClock, type WallClock } from '../time/index.js';

export interface RelayServerOptions {
  config: RelayConfigInput;
  logger: Logger;
  /** Tags of local files; default ffprobe (`probeTags`). `noTags` names songs after their files. */
  tagReader?: TagReader;
  now?: WallClock;
  random?: () => number;
  /** Told of requests, rate-limited requests, upstream requests and matches (the relay's metrics). */
  observer?: RelayObserver;
}

export interface RelayServer {
  /** Defaults to `listen.port` and `listen.host` of the config; port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<void>;
  close(): Promise<void>;
  /** `http://<host>:<port>` once listening. */
  readonly url: string;
}

/** What one request's log line says besides method, status and timing. */
interface Handled {
  status: number;
  route: string;
  ref?: string;
  outcome?: string;
  /** The error reason of a 4xx/5xx answer. */
  reason?: string;
  /** Why a file token was refused. */
  problem?: string;
}

const SONGS = '/v1/songs/';
const PLAYLISTS = '/v1/playlists/';
const FILES = '/v1/files/';

/** The relay's versioned JSON API over node:http (see API.md). */
export function createRelayServer(options: RelayServerOptions): RelayServer {
  const config = parseRelayConfig(options.config);
  const { logger } = options;
  const now = options.now ?? systemWallClock;
  const { token, tokenFile, tokenGraceSec, listen, publicBaseUrl, fileUrlSecret, rateLimit, trustProxy, metrics: _metrics, ...resolverConfig } = config;
  const { observer } = options;

  const library = config.local ? new MusicLibrary(config.local.musicDir) : undefined;
  const signer =
    library && publicBaseUrl
      ? createFileUrlSigner({ secret: fileUrlSecret ?? deriveFileUrlSecret(token), publicBaseUrl, now })
      : undefined;
  const resolver = createResolver({
    config: resolverConfig,
    logger,
    ...(options.tagReader ? { tagReader: options.tagReader } : {}),
    ...(library ? { library } : {}),
    ...(signer ? { fileUrl: (file, expiresAt) => signer.urlFor(file.relPath, expiresAt) } : {}),
    now,
    ...(options.random ? { random: options.random } : {}),
    observer,
  });
  // File URLs stay signed with the key of the start-up token: those given out before a rotation keep working.
  const tokens = new RotatingToken({
    secret: secretOf({ setting: 'RELAY_TOKEN', value: token, file: tokenFile, logger }),
    graceMs: tokenGraceSec * 1000,
    now,
    logger,
  });
  const clientAddress = createClientAddress(trustProxy);
  // Apart, so that anonymous traffic from an address (a reverse proxy, a NAT) never throttles the workers there.
  const limiters = { authenticated: new RateLimiter({ ...rateLimit, now }), anonymous: new RateLimiter({ ...rateLimit, now }) };

  async function handle(req: IncomingMessage, res: ServerResponse, client: string): Promise<Handled> {
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const reply = (route: string, answer: Reply, more: Pick<Handled, 'ref' | 'outcome'> = {}): Handled => {
      sendJson(res, answer);
      const reason = (answer.body as { error?: { reason?: string } }).error?.reason;
      return { status: answer.status, route, ...more, ...(reason ? { reason } : {}) };
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply('-', errorReply(405, 'method-not-allowed', 'only GET and HEAD', { headers: { allow: 'GET, HEAD' } }));
    }
    if ((req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined) {
      // Never read: the connection is closed after this answer instead.
      return reply('-', errorReply(413, 'body-not-accepted', 'requests must not have a body', { headers: { connection: 'close' } }));
    }
    if (path === '/healthz') return reply('healthz', { status: 200, body: { ok: true, providers: resolver.providers } });

    // Authentication first, so each request is counted in its own class; nothing is read or resolved before the limit.
    const throttled = (authenticated: boolean): Handled | undefined => {
      const allowance = limiters[authenticated ? 'authenticated' : 'anonymous'].take(client);
      if (allowance.allowed) return undefined;
      observer?.rateLimited?.(authenticated ? 'authenticated' : 'anonymous');
      const headers = { 'retry-after': String(allowance.retryAfterSec) };
      return reply('-', errorReply(429, 'rate-limited', 'too many requests from this address', { retryable: true, headers }));
    };

    if (path.startsWith(FILES)) {
      // The file token is the credential here: a valid one counts as authenticated.
      const grant = signer?.verify(path.slice(FILES.length));
      const limited = throttled(grant?.ok === true);
      if (limited) return limited;
      if (!grant || !library) return reply('files', errorReply(404, 'not-found', 'this relay serves no local files'));
      const served = await serveLibraryFile(req, res, grant, library);
      return { route: 'files', ...served };
    }

    const authenticated = hasBearerOf(req.headers.authorization, await tokens.accepted());
    const limited = throttled(authenticated);
    if (limited) return limited;
    if (!authenticated) {
      const headers = { 'www-authenticate': 'Bearer realm="relaycast"' };
      return reply('-', errorReply(401, 'unauthorized', 'send Authorization: Bearer <relay token>', { headers }));
    }

    if (path.startsWith(SONGS)) {
      const ref = decodeRef(path.slice(SONGS.length));
      if (ref === undefined) return reply('songs', errorReply(400, 'bad-ref', 'the ref is not valid percent-encoding'));
      const match = parseMatch(new URLSearchParams(query));
      if (match === 'invalid') return reply('songs', errorReply(400, 'bad-request', 'match must be 0 or 1'), { ref });
      try {
        const resolution = await resolver.resolveSong(ref, match === undefined ? {} : { match });
        return reply('songs', resolutionReply(ref, resolution), { ref, outcome: resolutionOutcome(resolution) });
      } catch (error) {
        return reply('songs', failureReply(error, ref), { ref });
      }
    }

    if (path.startsWith(PLAYLISTS)) {
      const ref = decodeRef(path.slice(PLAYLISTS.length));
      if (ref === undefined) return reply('playlists', errorReply(400, 'bad-ref', 'the ref is not valid percent-encoding'));
      const page = parsePage(new URLSearchParams(query));
      if (!page) return reply('playlists', errorReply(400, 'bad-request', 'offset and limit must be whole numbers'), { ref });
      try {
        return reply('playlists', playlistReply(await resolver.resolvePlaylist(ref, page)), { ref });
      } catch (error) {
        return reply('playlists', failureReply(error, ref), { ref });
      }
    }
    return reply('-', errorReply(404, 'not-found', 'no such endpoint; see /v1/songs/<ref> and /v1/playlists/<ref>'));
  }

  /** The answer for an error thrown by the resolver; anything unexpected is a 500 with the details only in the log. */
  function failureReply(error: unknown, ref: string): Reply {
    if (error instanceof RefSyntaxError) return errorReply(400, 'bad-ref', error.message);
    if (error instanceof PageRequestError) return errorReply(400, 'bad-request', error.message, { ref });
    if (error instanceof NotFoundError) return errorReply(404, 'not-found', error.message, { ref });
    // A fact about this relay's config, not about the song: a restart with the provider may serve it.
    if (error instanceof ProviderDisabledError) return errorReply(503, 'provider-disabled', error.message, { ref, retryable: true });
    if (error instanceof UpstreamError) return errorReply(502, 'upstream-error', error.message, { ref, retryable: error.retryable });
    logger.error({ event: 'relay.request.crashed', ref, err: error }, 'request failed');
    return errorReply(500, 'internal', 'internal error; see the relay log', { ref, retryable: true });
  }

  const server = createServer((req, res) => {
    const started = now();
    const client = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    handle(req, res, client)
      .catch((error: unknown): Handled => {
        logger.error({ event: 'relay.request.crashed', err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, errorReply(500, 'internal', 'internal error; see the relay log', { retryable: true }));
        else res.destroy();
        return { status: 500, route: '-' };
      })
      .then((handled) => {
        observer?.request?.(handled.route, handled.status);
        // Never the URL as sent: file tokens are credentials. The route and ref say what was asked.
        logger.info(
          { event: 'relay.request', method: req.method, ...handled, client, ms: now() - started },
          'request',
        );
      });
  });
  // Slow-loris bounds: a client gets this long to send its headers / whole request.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  const relay: RelayServer = {
    listen(port = listen.port, host = listen.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          logger.info({ event: 'relay.listening', url: relay.url, providers: resolver.providers }, 'relay listening');
          resolve();
        });
      });
    },

    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
      });
    },

    get url() {
      const address = server.address() as AddressInfo | null;
      if (!address) throw new Error('the relay server is not listening');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
  };
  return relay;
}

/** The ref as sent, percent-decoded exactly once (refs may hold '/' and non-ASCII names); undefined if malformed. */
function decodeRef(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** `offset`/`limit` from the query: digits only; ranges are checked by the resolver. */
function parsePage(query: URLSearchParams): { offset?: number; limit?: number } | undefined {
  const page: { offset?: number; limit?: number } = {};
  for (const key of ['offset', 'limit'] as const) {
    const value = query.get(key);
    if (value === null) continue;
    if (!/^\d{1,9}$/.test(value)) return undefined;
    page[key] = Number(value);
  }
  return page;
}

/** `?match=0` turns the cross-provider match off for one request; `1` (the default) leaves it to the config. */
function parseMatch(query: URLSearchParams): boolean | undefined | 'invalid' {
  const value = query.get('match');
  if (value === null) return undefined;
  if (value === '0') return false;
  if (value === '1') return true;
  return 'invalid';
}
