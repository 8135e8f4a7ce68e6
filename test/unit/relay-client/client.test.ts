import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRelayClient,
  DEFAULT_RELAY_TIMEOUTS,
  RelayAuthError,
  RelayNotFoundError,
  RelayRejectedError,
  RelayResponseError,
  RelayUnavailableError,
  type RelayClient,
} from '../../../src/relay-client/index.js';
import { RefSyntaxError } from '../../../src/refs/index.js';
import { ValidationError } from '../../../src/store/index.js';
import { playableSong, startFakeRelay, unplayableSong, type FakeRelay, type FakeRelayOptions } from '../../support/fake-relay.js';
import { freePort } from '../../support/ports.js';

const noWait = { sleep: async () => undefined };
let relay: FakeRelay | undefined;
let client: RelayClient | undefined;

async function setup(options: FakeRelayOptions, clientOptions: Partial<Parameters<typeof createRelayClient>[0]> = {}) {
  relay = await startFakeRelay({ token: 'secret', ...options });
  client = createRelayClient({ baseUrl: relay.url, token: 'secret', ...noWait, ...clientOptions });
  return { relay, client };
}

afterEach(async () => {
  client?.close();
  await relay?.stop();
  relay = undefined;
  client = undefined;
});

describe('resolveSong', () => {
  it('returns a playable song with its audio, sending the bearer token', async () => {
    const { relay, client } = await setup({});
    const song = await client.resolveSong('local:jazz/a b.mp3');
    expect(song).toMatchObject({ ok: true, value: { ref: 'local:jazz/a b.mp3', title: 'Title of local:jazz/a b.mp3', album: 'Album', durationMs: 200_000 } });
    if (song.ok) expect(song.value.audio).toMatchObject({ format: 'mp3', bitrate: 320_000 });
    expect(relay.requests[0]).toMatchObject({ path: '/v1/songs/local%3Ajazz%2Fa%20b.mp3', authorization: 'Bearer secret' });
  });

  it('asks for the song\'s own audio only (?match=0) when the match is off, and leaves the relay\'s default otherwise', async () => {
    const { relay, client } = await setup({});
    expect(await client.resolveSong('netease:1', { match: false })).toMatchObject({ ok: true, value: { matchedFrom: null } });
    await client.resolveSong('netease:1', { match: true });
    await client.resolveSong('netease:1');
    expect(relay.requests.map((request) => request.query.toString())).toEqual(['match=0', '', '']);
  });

  it('says which song plays when the relay matched the asked one on another provider', async () => {
    const matched = (ref: string) => {
      const answer = playableSong(ref);
      return { ...answer, body: { ...(answer.body as object), matchedFrom: { ref: 'qq:002wit7s1Tvdlg', score: 0.93 } } };
    };
    const { client } = await setup({ song: matched });
    expect(await client.resolveSong('netease:1')).toMatchObject({ ok: true, value: { ref: 'netease:1', matchedFrom: { ref: 'qq:002wit7s1Tvdlg', score: 0.93 } } });
  });

  it('returns unplayable songs as data, without retrying a 422', async () => {
    const { relay, client } = await setup({ song: (ref) => unplayableSong(ref, 'no-rights') });
    expect(await client.resolveSong('netease:1')).toEqual({
      ok: false,
      failure: { ref: 'netease:1', reason: 'no-rights', retryable: false, message: 'netease:1 is no-rights' },
    });
    expect(relay.requests).toHaveLength(1);
  });

  it('retries a 502 marked retryable, then reports the last answer', async () => {
    const { relay, client } = await setup({ song: (ref) => unplayableSong(ref, 'upstream-error', 502, true) });
    expect(await client.resolveSong('netease:1')).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
    expect(relay.requests).toHaveLength(3);
  });

  it('retries a 5xx until the relay answers', async () => {
    let calls = 0;
    const { client } = await setup({
      song: (ref) => (++calls < 3 ? { status: 503, body: 'busy' } : playableSong(ref)),
    });
    expect(await client.resolveSong('netease:1')).toMatchObject({ ok: true });
    expect(calls).toBe(3);
  });

  it('gives up on a 5xx without an error object as RelayUnavailableError', async () => {
    const { client } = await setup({ song: () => ({ status: 500, body: '<html>oops</html>' }) });
    await expect(client.resolveSong('netease:1')).rejects.toBeInstanceOf(RelayUnavailableError);
  });

  it('reports a wrong token as RelayAuthError', async () => {
    const { client } = await setup({}, { token: 'wrong' });
    await expect(client.resolveSong('netease:1')).rejects.toBeInstanceOf(RelayAuthError);
  });

  it.each([
    ['malformed JSON', { status: 200, body: '{"ref": "netease:1", ' }],
    ['a missing audio URL', { status: 200, body: { ref: 'netease:1', title: 'x', audio: { format: 'mp3', expiresAt: 1 } } }],
    ['a non-http audio URL', { status: 200, body: { ref: 'netease:1', title: 'x', audio: { url: 'file:///etc/passwd', format: 'mp3', expiresAt: 1 } } }],
    ['a bad expiry', { status: 200, body: { ref: 'netease:1', title: 'x', audio: { url: 'http://a/b', format: 'mp3', expiresAt: 'soon' } } }],
    ['an array', { status: 200, body: [] }],
    ['an unexpected status', { status: 418, body: 'teapot' }],
  ])('turns %s into RelayResponseError, never a crash', async (_case, answer) => {
    const { client } = await setup({ song: () => answer });
    await expect(client.resolveSong('netease:1')).rejects.toBeInstanceOf(RelayResponseError);
  });

  it('accepts an ISO expiry and fills artist from artists', async () => {
    const { client } = await setup({
      song: (ref) => ({
        status: 200,
        body: { ref, title: 't', artists: ['A', 'B'], audio: { url: 'https://cdn/x.m4a', format: 'm4a', expiresAt: '2030-01-01T00:00:00Z' } },
      }),
    });
    expect(await client.resolveSong('netease:1')).toMatchObject({
      ok: true,
      value: { artist: 'A, B', album: null, durationMs: null, audio: { expiresAt: Date.parse('2030-01-01T00:00:00Z'), bitrate: null } },
    });
  });

  it('refuses a bad ref before any request', async () => {
    const { relay, client } = await setup({});
    await expect(client.resolveSong('netease:abc')).rejects.toBeInstanceOf(RefSyntaxError);
    expect(relay.requests).toHaveLength(0);
  });

  it('reports a refused connection as RelayUnavailableError after retries', async () => {
    const port = await freePort();
    const sleeps: number[] = [];
    client = createRelayClient({ baseUrl: `http://127.0.0.1:${port}`, sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
    await expect(client.resolveSong('netease:1')).rejects.toThrow(/cannot reach the relay at http:\/\/127\.0\.0\.1:\d+\/v1\/songs\/netease%3A1 \(.*ECONNREFUSED/);
    expect(sleeps).toEqual([100, 200]);
  });

  it('times out a relay that accepts and never answers', async () => {
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as { port: number };
    client = createRelayClient({ baseUrl: `http://127.0.0.1:${port}`, timeouts: { responseMs: 200 }, retry: { attempts: 2 }, ...noWait });
    const started = Date.now();
    await expect(client.resolveSong('netease:1')).rejects.toBeInstanceOf(RelayUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
    hanging.close();
  });

  it('bounds a whole lookup, retries and waits included, by lookupMs: a relay answering after 10 s is unavailable', async () => {
    // The worker's per-attempt timeouts are longer than a station's silence budget; the lookup limit is not.
    const { relay, client } = await setup(
      { song: (ref) => ({ ...playableSong(ref), delayMs: 10_000 }) },
      { timeouts: { connectMs: 4_000, responseMs: 12_000, totalMs: 30_000, lookupMs: 1_500 }, sleep: undefined as never },
    );
    const started = performance.now();
    const error = await client.resolveSong('netease:1').catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(RelayUnavailableError);
    expect((error as Error).message).toMatch(/no answer from the relay for http:\/\/127\.0\.0\.1:\d+\/v1\/songs\/netease%3A1 within the 1500 ms lookup limit \(1 attempt/);
    expect(relay.requests.length).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(1_500 + 1_500);
  });

  it('does not start a retry whose wait would end past the lookup limit', async () => {
    const sleeps: number[] = [];
    const { relay, client } = await setup(
      { song: () => ({ status: 503, body: 'busy' }) },
      { timeouts: { lookupMs: 300 }, retry: { attempts: 5, firstDelayMs: 1_000, capDelayMs: 1_000 }, sleep: async (ms) => void sleeps.push(ms) },
    );
    await expect(client.resolveSong('netease:1')).rejects.toBeInstanceOf(RelayUnavailableError);
    expect(relay.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('keeps a lookup well inside a station\'s 10 s silence budget by default', () => {
    expect(DEFAULT_RELAY_TIMEOUTS.lookupMs).toBeLessThanOrEqual(8_000);
  });
});

describe('playlists', () => {
  const songs = Array.from({ length: 250 }, (_, i) => ({ ref: `netease:${i + 1}`, title: `Song ${i + 1}`, artist: 'A' }));

  it('pages through a whole playlist in order, reporting progress', async () => {
    const { relay, client } = await setup({ playlists: { 'netease:playlist:42': { name: 'Mix', songs } } });
    const progress: number[] = [];
    const listing = await client.listAllSongs('netease:playlist:42', ({ fetched }) => progress.push(fetched));
    expect(listing).toMatchObject({ name: 'Mix', total: 250, truncated: false });
    expect(listing.songs.map((song) => song.ref)).toEqual(songs.map((song) => song.ref));
    expect(progress).toEqual([100, 200, 250]);
    expect(relay.requests.map((request) => request.query.get('offset'))).toEqual(['0', '100', '200']);
  });

  it('reports a missing playlist as RelayNotFoundError', async () => {
    const { client } = await setup({});
    await expect(client.getPlaylist('qq:playlist:1')).rejects.toBeInstanceOf(RelayNotFoundError);
  });

  it('reports the relay refusing a playlist with its reason', async () => {
    const { client } = await setup({ route: () => unplayableSong('x', 'region-blocked', 422) });
    await expect(client.getPlaylist('qq:playlist:1')).rejects.toBeInstanceOf(RelayRejectedError);
  });

  it('stops when a page comes back empty although total promised more', async () => {
    const { client } = await setup({
      route: (request) =>
        request.path.startsWith('/v1/playlists/')
          ? { status: 200, body: { ref: 'netease:playlist:1', name: 'x', total: 1000, offset: 0, limit: 100, songs: [] } }
          : undefined,
    });
    expect((await client.listAllSongs('netease:playlist:1')).songs).toEqual([]);
  });

  it('rejects a malformed page', async () => {
    const { client } = await setup({ route: () => ({ status: 200, body: { ref: 'x', total: -1, songs: 'none' } }) });
    await expect(client.getPlaylist('netease:playlist:1')).rejects.toBeInstanceOf(RelayResponseError);
  });
});

describe('createRelayClient', () => {
  it('rejects unknown options and bad URLs up front', () => {
    expect(() => createRelayClient({ baseUrl: 'http://127.0.0.1:1', retries: 3 } as never)).toThrow(/unknown relay client option/);
    expect(() => createRelayClient({ baseUrl: 'ftp://127.0.0.1' })).toThrow(ValidationError);
    expect(() => createRelayClient({ baseUrl: 'not a url' })).toThrow(ValidationError);
  });
});
