import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { secretOf, type Secret } from '../secret-file.js';
import { ValidationError } from '../errors.js';
import { redactUrl, silentLogger, type Logger } from '../log/index.js';
import { parsePlaylistRef, parseSongRef } from '../refs/index.js';
import { failed, ok, type Result } from '../result.js';
import { retry, type RetryPolicy } from '../time/index.js';
import { describeUnknownOptions, rejectUnknownOptions } from '../unknown-options.js';
import { RelayNotFoundError, RelayRejectedError, RelayResponseError, RelayUnavailableError } from './errors.js';
import { describeCause, errorBodyOf, parseJson, parseWith, unexpectedStatus, type RawAnswer } from './responses.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type AttemptFailure } from './retry.js';
import { playlistPageSchema, songResponseSchema, type PlaylistPage, type PlaylistSong } from './schemas.js';
import type { ListProgress, RelayPlaylist, RelayTimeouts, SongLookupOptions, SongResolution } from './types.js';

/**
 * Relay clients time out and retry quickly (3-5 s): a slow relay must not stall a station. A lookup, retries
 * included, ends within 8 s, inside a station's 10 s silence budget.
 */
export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = Object.freeze({ connectMs: 3_000, responseMs: 5_000, totalMs: 15_000, lookupMs: 8_000 });
/** A relay answer larger than this is refused (a page of 100 songs is a few tens of KiB). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Songs per playlist page request. */
export const PLAYLIST_PAGE_SIZE = 100;
/** listAllSongs stops after this many songs (the store's playlist limit). */
export const MAX_PLAYLIST_SONGS = 10_000;

export interface RelayClientOptions {
  /** e.g. `http://127.0.0.1:8780` */
  readonly baseUrl: string;
  /** Bearer token; without one the relay answers 401. */
  readonly token?: string;
  /**
   * The file `token` was read from (RELAY_TOKEN_FILE): read again when it changes, and when the relay answers
   * 401 (the relay may have read a rotated token first), so a rotation needs no restart.
   */
  readonly tokenFile?: string;
  /** Says when the token file changed or cannot be read. */
  readonly logger?: Logger;
  readonly timeouts?: Partial<RelayTimeouts>;
  readonly retry?: Partial<RetryPolicy>;
  /** For the retry jitter. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const KNOWN_OPTIONS = new Set(['baseUrl', 'token', 'tokenFile', 'logger', 'timeouts', 'retry', 'random', 'sleep']);

/** An attempt that may be retried: a 5xx answer, or a network error (the cause reported if none comes). */
interface Miss {
  readonly failure: AttemptFailure;
  readonly answer?: RawAnswer;
  readonly cause?: unknown;
}

export interface RelayClient {
  resolveSong(ref: string, options?: SongLookupOptions): Promise<SongResolution>;
  getPlaylist(ref: string, page?: { offset?: number; limit?: number }): Promise<PlaylistPage>;
  listAllSongs(ref: string, onProgress?: (progress: ListProgress) => void): Promise<RelayPlaylist>;
  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void;
}

function validateOptions(options: RelayClientOptions): URL {
  rejectUnknownOptions(options, KNOWN_OPTIONS, (unknown) => new ValidationError(describeUnknownOptions(unknown, 'relay client option')));
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new ValidationError(`invalid relay URL ${JSON.stringify(options.baseUrl)}: expected http://host:port`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ValidationError(`invalid relay URL ${redactUrl(options.baseUrl)}: expected http:// or https://`);
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

export function createRelayClient(options: RelayClientOptions): RelayClient {
  const base = validateOptions(options);
  const timeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...options.timeouts };
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 16 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }) };
  const token: Secret | undefined = options.token
    ? secretOf({ setting: 'RELAY_TOKEN', value: options.token, file: options.tokenFile, logger: options.logger ?? silentLogger() })
    : undefined;

  /** One request; `leftMs` is what remains of the lookup's time, which caps the attempt's own. */
  async function attempt(url: URL, shownUrl: string, leftMs: number, bearer: string | undefined): Promise<RawAnswer> {
    let tooLarge = false;
    const request = got(url, {
      headers: { accept: 'application/json', 'user-agent': 'relaycast', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      timeout: {
        lookup: timeouts.connectMs,
        connect: timeouts.connectMs,
        secureConnect: timeouts.connectMs,
        send: timeouts.responseMs,
        response: timeouts.responseMs,
        request: Math.min(timeouts.totalMs, leftMs),
      },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      agent: agents,
    });
    request.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > MAX_RESPONSE_BYTES && !tooLarge) {
        tooLarge = true;
        request.cancel();
      }
    });
    try {
      const response = await request;
      return { status: response.statusCode, text: response.body, shownUrl };
    } catch (error) {
      if (tooLarge) {
        throw new RelayResponseError(`the relay's answer for ${shownUrl} is larger than ${MAX_RESPONSE_BYTES} bytes`, { url: shownUrl });
      }
      throw error;
    }
  }

  /**
   * GET with the token as its file holds it now. A 401 may mean the token was rotated and the relay read the
   * file first: the file is read again and, when it holds another token, the request is made once more with it.
   */
  async function get(path: string, query: Record<string, number> = {}): Promise<RawAnswer> {
    const sent = await token?.refresh();
    const answer = await getWith(sent, path, query);
    if (answer.status !== 401 || !token) return answer;
    const fresh = await token.refresh({ force: true });
    return fresh === sent ? answer : getWith(fresh, path, query);
  }

  /**
   * GET with retries on network errors and 5xx, all within timeouts.lookupMs; returns the last answer, or
   * throws RelayUnavailableError when none came.
   */
  async function getWith(bearer: string | undefined, path: string, query: Record<string, number>): Promise<RawAnswer> {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    const shownUrl = redactUrl(url.toString());
    const endAt = performance.now() + timeouts.lookupMs;
    const end = await retry({
      attempt: () => attemptOrMiss(url, shownUrl, Math.max(1, Math.floor(endAt - performance.now())), bearer),
      delayAfter: (miss, tries) => retryDelayMs(tries, miss.failure, policy, random),
      deadlineAt: endAt,
      now: () => performance.now(),
      sleep: wait,
    });
    if (end.ok) return end.value;
    const { last, tries, by } = end.failure;
    // A 5xx answer is still the relay's word, better than no answer.
    if (last.answer) return last.answer;
    if (by === 'deadline') throw lookupTimedOut(shownUrl, tries, last.cause);
    throw new RelayUnavailableError(`cannot reach the relay at ${shownUrl} (${describeCause(last.cause)}): check --relay / RELAY_URL`, {
      url: shownUrl,
      cause: last.cause,
    });
  }

  /** One attempt, a 5xx answer or a network error as a miss; an oversized answer is not worth retrying. */
  async function attemptOrMiss(url: URL, shownUrl: string, leftMs: number, bearer: string | undefined): Promise<Result<RawAnswer, Miss>> {
    try {
      const answer = await attempt(url, shownUrl, leftMs, bearer);
      if (answer.status < 500) return ok(answer);
      const body = errorBodyOf(answer.text);
      return failed({ failure: { kind: 'status', status: answer.status, ...(body && { retryable: body.retryable }) }, answer });
    } catch (error) {
      if (error instanceof RelayResponseError) throw error;
      return failed({ failure: { kind: 'network' }, cause: error });
    }
  }

  function lookupTimedOut(shownUrl: string, attempts: number, cause: unknown): RelayUnavailableError {
    return new RelayUnavailableError(
      `no answer from the relay for ${shownUrl} within the ${timeouts.lookupMs} ms lookup limit ` +
        `(${attempts} attempt${attempts === 1 ? '' : 's'}, last: ${describeCause(cause)}): check the relay at --relay / RELAY_URL`,
      { url: shownUrl, cause },
    );
  }

  async function resolveSong(ref: string, options: SongLookupOptions = {}): Promise<SongResolution> {
    parseSongRef(ref);
    // Only `match=0` is sent: without it the relay's own config decides, as it always did.
    const answer = await get(`v1/songs/${encodeURIComponent(ref)}`, options.match === false ? { match: 0 } : {});
    if (answer.status === 200) {
      const song = parseWith(songResponseSchema, parseJson(answer), answer, 'song');
      return ok(song);
    }
    const error = errorBodyOf(answer.text);
    // 422 (the service says no) and 502 (the service failed) carry the relay's error object.
    if (error && (answer.status === 422 || answer.status === 404 || answer.status >= 500)) {
      return failed({ ref, reason: error.reason, retryable: error.retryable, message: error.message });
    }
    throw unexpectedStatus(answer);
  }

  async function getPlaylist(ref: string, page: { offset?: number; limit?: number } = {}): Promise<PlaylistPage> {
    parsePlaylistRef(ref);
    const offset = page.offset ?? 0;
    const limit = page.limit ?? PLAYLIST_PAGE_SIZE;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ValidationError(`invalid playlist offset ${offset}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError(`invalid playlist limit ${limit}: 1..1000`);
    const answer = await get(`v1/playlists/${encodeURIComponent(ref)}`, { offset, limit });
    if (answer.status === 200) return parseWith(playlistPageSchema, parseJson(answer), answer, 'playlist page');
    const error = errorBodyOf(answer.text);
    if (answer.status === 404 || error?.reason === 'not-found') {
      throw new RelayNotFoundError(`the relay has no playlist ${ref}`, { url: answer.shownUrl, status: answer.status });
    }
    if (error) {
      throw new RelayRejectedError(`the relay cannot list ${ref}: ${error.reason}${error.message ? ` (${error.message})` : ''}`, {
        url: answer.shownUrl,
        status: answer.status,
        reason: error.reason,
        retryable: error.retryable,
      });
    }
    throw unexpectedStatus(answer);
  }

  async function listAllSongs(ref: string, onProgress?: (progress: ListProgress) => void): Promise<RelayPlaylist> {
    const songs: PlaylistSong[] = [];
    let name = '';
    let total = 0;
    const maxPages = Math.ceil(MAX_PLAYLIST_SONGS / PLAYLIST_PAGE_SIZE) + 1;
    for (let pageNumber = 0; pageNumber < maxPages; pageNumber += 1) {
      const page = await getPlaylist(ref, { offset: songs.length, limit: PLAYLIST_PAGE_SIZE });
      name = page.name;
      total = page.total;
      songs.push(...page.songs);
      onProgress?.({ fetched: songs.length, total });
      // An empty page ends the listing even if `total` promised more (the playlist shrank meanwhile).
      if (page.songs.length === 0 || songs.length >= total || songs.length >= MAX_PLAYLIST_SONGS) break;
    }
    return { ref, name, total, songs: songs.slice(0, MAX_PLAYLIST_SONGS), truncated: total > MAX_PLAYLIST_SONGS };
  }

  return {
    resolveSong,
    getPlaylist,
    listAllSongs,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
