import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../src/audio/index.js';
import { AudioCache } from '../../src/cache/index.js';
import { CachedResolver } from '../../src/frame-loader/cached-resolver.js';
import { SongUnplayableError } from '../../src/frame-loader/errors.js';
import { refLoader } from '../../src/frame-loader/ref-loader.js';
import { silentLogger } from '../../src/log/index.js';
import { createRelayServer, type RelayServer } from '../../src/relay/index.js';
import { createRelayClient, type RelayClient } from '../../src/relay-client/index.js';
import { connectRedis, createStore, keys, type Store } from '../../src/store/index.js';
import { startCdnServer, type CdnServer } from '../support/cdn-server.js';
import { makeTone } from '../support/fixtures.js';
import { readFrames } from '../support/frames.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir } from '../support/tmp.js';
import { RECORDED_NETEASE_SONG, readRecorded, recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from '../support/upstream.js';

/*
 * A station's `match` setting from the worker's side, against a real relay (in-process, on loopback), real
 * Redis and a loopback CDN. Upstream: netease:29450091 refused for rights (the recorded song-URL answer with
 * its id), found on QQ by a search in musicu.fcg's shape (see test/unit/relay/match/resolver-match.test.ts);
 * QQ's detail and vkey answers are the recorded ones, the vkey's stream hosts pointed at the loopback CDN,
 * which serves a generated m4a tone.
 */
const ASKED = RECORDED_NETEASE_SONG.ref;
const CANDIDATE_MID = '002wit7s1Tvdlg'; // the songmid of the recorded qq-vkey-playable.json
const TOKEN = 'station-match-test-token-1234';

let redisServer: RedisServer;
let redis: Redis;
let store: Store;
let upstream: RecordedUpstream;
let cdn: CdnServer;
let relay: RelayServer;
let client: RelayClient;
let temp: { dir: string; remove: () => Promise<void> };
let cdnPaths: string[];

function musicuModule(request: SeenRequest): string {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } }).req_0?.module ?? '';
}

/** Every `sip` list of a musicu answer replaced by one host. */
function withStreamHost(value: unknown, host: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withStreamHost(item, host));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === 'sip' ? [host] : withStreamHost(inner, host)]));
}

function qqSearchAnswer(): UpstreamReply {
  const song = { mid: CANDIDATE_MID, name: '小宝贝', title: '小宝贝', singer: [{ mid: '', name: '夏天播放' }], album: { mid: '003c616O2Zlswm', name: '' }, interval: 192 };
  return { body: JSON.stringify({ code: 0, ts: 1, req_0: { code: 0, data: { body: { song: { list: [song] } }, meta: {} } } }) };
}

beforeAll(async () => {
  requirePrograms('ffmpeg');
  temp = await makeTempDir('station-match');
  const tone = await readFile(await makeTone({ path: join(temp.dir, 'tone.m4a'), seconds: 1, frequency: 440, format: 'm4a', moovAtEnd: false }));
  cdn = await startCdnServer();
  cdn.handler = (request, response) => {
    cdnPaths.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'audio/mp4', 'content-length': tone.length }).end(tone);
  };
  const songUrl = JSON.parse(await readRecorded('netease-song-url-null-404.json')) as { data: { id: number }[] };
  songUrl.data[0]!.id = 29450091;
  const vkey = await recordedReply('qq-vkey-playable.json');
  const replies: Record<string, UpstreamReply> = {
    '/netease/song/detail': await recordedReply('netease-song-detail.json'),
    '/netease/song/url/v1': { body: JSON.stringify(songUrl) },
    'music.pf_song_detail_svr': { body: (await readRecorded('qq-song-detail.json')).replaceAll('004dFFPd4JNv8q', CANDIDATE_MID) },
    'vkey.GetVkeyServer': { ...vkey, body: JSON.stringify(withStreamHost(JSON.parse(vkey.body!), `${cdn.base}/`)) },
    'music.search.SearchCgiService': qqSearchAnswer(),
  };
  upstream = await startRecordedUpstream((seen) => replies[seen.path.endsWith('musicu.fcg') ? musicuModule(seen) : seen.path]);
  relay = createRelayServer({
    config: {
      token: TOKEN,
      netease: { baseUrl: `${upstream.url}/netease/` },
      qq: { musicuUrl: `${upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${upstream.url}/songlist.fcg`, attempts: 1 },
    },
    logger: silentLogger(),
  });
  await relay.listen(0, '127.0.0.1');
  client = createRelayClient({ baseUrl: relay.url, token: TOKEN });
  redisServer = await startRedis();
  redis = await connectRedis(redisServer.url);
  store = createStore(redis);
});

afterAll(async () => {
  client?.close();
  await relay?.close();
  await upstream?.close();
  await cdn?.stop();
  redis?.disconnect();
  await redisServer?.stop();
  await temp?.remove();
});

beforeEach(async () => {
  await redis.flushall();
  upstream.requests.length = 0;
  cdnPaths = [];
});

/** One station's loader as the worker builds it: one CachedResolver (and disk cache) per worker, shared by its stations. */
function stationLoader(resolver: CachedResolver, match: boolean, audioCache?: AudioCache) {
  const loader = refLoader({ resolver, audioCache, downloadDir: temp.dir, format: DEFAULT_STREAM_FORMAT, logger: silentLogger(), match: () => match });
  return { load: () => loader.load({ ref: ASKED, title: ASKED, artist: '' }, new AbortController().signal) };
}

const searches = () => upstream.requests.filter((seen) => seen.path.endsWith('musicu.fcg') && musicuModule(seen) === 'music.search.SearchCgiService');

describe('a station\'s match setting, relay to frames', () => {
  it('skips the refused song on a station with match off, and leaves nothing in Redis that would stop a station with match on', async () => {
    const worker = new CachedResolver({ resolver: client, store: store.caches, logger: silentLogger() });
    const audioCache = await AudioCache.open({ dir: join(temp.dir, 'audio-cache'), maxBytes: 50_000_000, logger: silentLogger() });
    const error = await stationLoader(worker, false, audioCache).load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SongUnplayableError);
    expect(error).toMatchObject({ ref: ASKED, reason: 'no-rights' });
    expect(searches()).toEqual([]);
    expect(cdnPaths).toEqual([]);
    expect(await redis.exists(keys.unplayable(ASKED))).toBe(0);

    const played = await stationLoader(worker, true, audioCache).load();
    expect(played.song).toMatchObject({ ref: ASKED, title: '小宝贝', artist: '夏天播放' });
    expect((await readFrames(played.frames)).length).toBeGreaterThan(30);
    expect(cdnPaths).toHaveLength(1);
    expect(searches()).toHaveLength(1);
    expect(JSON.parse((await redis.get(keys.audioUrl(ASKED)))!)).toMatchObject({ url: expect.stringContaining(cdn.base), matchedFrom: `qq:${CANDIDATE_MID}` });

    // The matched audio, transcoded and on disk, is not the asked song's own: the match-off station still skips it.
    await vi.waitFor(() => expect(audioCache.has(`qq:${CANDIDATE_MID}`, DEFAULT_STREAM_FORMAT)).toBe(true));
    await expect(stationLoader(worker, false, audioCache).load()).rejects.toMatchObject({ reason: 'no-rights' });
    const again = await stationLoader(worker, true, audioCache).load();
    await readFrames(again.frames);
    expect(cdnPaths).toHaveLength(1);
  });

  it('never hands the matched audio cached in Redis to a station with match off, on another worker either', async () => {
    const first = new CachedResolver({ resolver: client, store: store.caches, logger: silentLogger() });
    await readFrames((await stationLoader(first, true).load()).frames);
    const other = new CachedResolver({ resolver: client, store: store.caches, logger: silentLogger() });
    await expect(stationLoader(other, false).load()).rejects.toBeInstanceOf(SongUnplayableError);
    // The other worker's match-on station plays from the cache: no second relay lookup, no second search.
    const played = await stationLoader(other, true).load();
    await readFrames(played.frames);
    expect(played.song).toMatchObject({ title: '小宝贝' });
    expect(searches()).toHaveLength(1);
    expect(cdnPaths).toHaveLength(2);
  });
});
