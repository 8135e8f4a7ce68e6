import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_STREAM_FORMAT, gainSteps, globalGains, type Mp3Frame, type SongLoudness } from '../../../src/audio/index.js';
import { AudioCache } from '../../../src/cache/index.js';
import { AudioUrlExpiredError } from '../../../src/download/index.js';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { RelayRejectedError, RelayUnavailableError, type SongResolution } from '../../../src/relay-client/index.js';
import { failed, ok } from '../../../src/result.js';
import { CachedResolver } from '../../../src/frame-loader/cached-resolver.js';
import { SongUnplayableError } from '../../../src/frame-loader/errors.js';
import { refLoader, type RefLoaderOptions } from '../../../src/frame-loader/ref-loader.js';
import { SongNotReadyError } from '../../../src/station/errors.js';
import type { Song } from '../../../src/station/song.js';
import { useCdnServer } from '../../support/cdn-server.js';
import { makeTone } from '../../support/fixtures.js';
import { readFrames } from '../../support/frames.js';
import { captureLog } from '../../support/icecast.js';
import { measureLoudness } from '../../support/loudness.js';
import { requirePrograms } from '../../support/prereq.js';
import { makeTempDir } from '../../support/tmp.js';

const cdn = useCdnServer();
let temp: { dir: string; remove: () => Promise<void> };
let tone: string;
let toneBytes: Buffer;
/** Each request the CDN saw, with who asked: `got` downloads, ffmpeg (Lavf) reads a URL itself. */
let requests: { url: string; agent: string }[];
/** URLs the CDN answers 403, as it does once a signed URL has expired. */
let refused: Set<string>;

beforeAll(async () => {
  requirePrograms('ffmpeg');
  temp = await makeTempDir('ref-loader');
  tone = await makeTone({ path: join(temp.dir, 'tone.mp3'), seconds: 1, frequency: 440, format: 'mp3' });
  toneBytes = await readFile(tone);
});

afterAll(async () => {
  await temp?.remove();
});

function serveTone(): void {
  requests = [];
  refused = new Set();
  cdn().handler = (request, response) => {
    requests.push({ url: request.url ?? '', agent: request.headers['user-agent'] ?? '' });
    if (refused.has(request.url ?? '')) return void response.writeHead(403).end();
    response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': toneBytes.length }).end(toneBytes);
  };
}

/**
 * The relay behind a real CachedResolver (memory only): each ask of a ref gives a new signed URL on the
 * CDN (`?v=1`, `?v=2`, …), unless `answer` says otherwise for that ref.
 */
function relay(answer: (ref: string) => SongResolution | Error | undefined = () => undefined) {
  const asked: string[] = [];
  const resolver = new CachedResolver({
    logger: silentLogger(),
    resolver: {
      async resolveSong(ref) {
        asked.push(ref);
        const given = answer(ref);
        if (given instanceof Error) throw given;
        if (given) return given;
        const version = asked.filter((seen) => seen === ref).length;
        const url = `${cdn().base}/${ref.replace(':', '-')}.mp3?v=${version}`;
        return ok({ ref, title: `Title of ${ref}`, artist: 'Someone', artists: ['Someone'], album: null, durationMs: 1000, coverUrl: null, audio: { url, format: 'mp3', bitrate: null, expiresAt: Date.now() + 600_000 }, matchedFrom: null });
      },
    },
  });
  return { resolver, asked };
}

/** The relay's answer for a song its provider refuses: the same recording from `matched`, served by the CDN. */
function matchedOn(ref: string, matched: string): SongResolution {
  const url = `${cdn().base}/${matched.replace(':', '-')}.mp3`;
  return ok({ ref, title: 'Asked', artist: 'Someone', artists: ['Someone'], album: null, durationMs: null, coverUrl: null, audio: { url, format: 'mp3', bitrate: null, expiresAt: Date.now() + 600_000 }, matchedFrom: { ref: matched, score: 0.9 } });
}

async function folder(name: string): Promise<string> {
  const dir = join(temp.dir, `${name}-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir);
  return dir;
}

function loader(resolver: CachedResolver, options: Partial<RefLoaderOptions> = {}) {
  const log = captureLog();
  const frames = refLoader({ resolver, downloadDir: undefined, format: DEFAULT_STREAM_FORMAT, logger: createLogger({ destination: log }), ...options });
  return { load: (song: Song) => frames.load(song, new AbortController().signal), log };
}

const byRef = (ref: string): Song => ({ ref, title: ref, artist: '' });

describe('refLoader', () => {
  it('downloads the resolved URL into the download folder, transcodes it, and removes the file once the frames close', async () => {
    serveTone();
    const downloads = await folder('downloads');
    const { resolver } = relay();
    const loaded = await loader(resolver, { downloadDir: downloads }).load(byRef('qq:a'));
    expect(loaded.song).toMatchObject({ ref: 'qq:a', title: 'Title of qq:a', artist: 'Someone', durationMs: 1000 });
    expect(await readdir(downloads)).toHaveLength(1);
    expect((await readFrames(loaded.frames)).length).toBeGreaterThan(30);
    await vi.waitFor(async () => expect(await readdir(downloads)).toEqual([]));
    expect(requests.map((request) => request.agent)).not.toContainEqual(expect.stringMatching(/Lavf/));
  });

  it('lets ffmpeg read the audio URL itself when there is no download folder', async () => {
    serveTone();
    const { resolver } = relay();
    const loaded = await loader(resolver, { downloadDir: undefined }).load(byRef('qq:a'));
    expect((await readFrames(loaded.frames)).length).toBeGreaterThan(30);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => /Lavf/.test(request.agent))).toBe(true);
  });

  it('lets ffmpeg read the URL when downloads cannot be written, and says so once per loader', async () => {
    serveTone();
    const blocker = join(temp.dir, `not-a-folder-${Math.random().toString(36).slice(2)}`);
    await writeFile(blocker, 'a plain file: nothing can be written below it');
    const { resolver } = relay();
    const { load, log } = loader(resolver, { downloadDir: join(blocker, 'downloads') });
    for (const ref of ['qq:a', 'qq:b']) expect((await readFrames((await load(byRef(ref))).frames)).length).toBeGreaterThan(30);
    expect(requests.some((request) => /Lavf/.test(request.agent))).toBe(true);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual(['downloads cannot be written: ffmpeg reads the audio URLs directly']);
  });

  it('reads a file: URL (the embedded local provider) in place, without downloading it', async () => {
    serveTone();
    const downloads = await folder('downloads');
    const local = pathToFileURL(tone).href;
    const { resolver } = relay((ref) => ok({ ref, title: 'Local', artist: 'Me', artists: ['Me'], album: null, durationMs: null, coverUrl: null, audio: { url: local, format: 'mp3', bitrate: null, expiresAt: Date.now() + 600_000 }, matchedFrom: null }));
    const loaded = await loader(resolver, { downloadDir: downloads }).load(byRef('local:tone.mp3'));
    expect(await readdir(downloads)).toEqual([]);
    expect((await readFrames(loaded.frames)).length).toBeGreaterThan(30);
    expect(loaded.song).toMatchObject({ title: 'Local', artist: 'Me' });
    expect(requests).toEqual([]);
  });

  it('plays a song given by file path without asking the relay', async () => {
    const { resolver, asked } = relay();
    const song: Song = { ref: tone, title: 'As configured', artist: 'Config', input: tone };
    const loaded = await loader(resolver).load(song);
    expect(loaded.song).toBe(song);
    expect((await readFrames(loaded.frames)).length).toBeGreaterThan(30);
    expect(asked).toEqual([]);
  });

  it('resolves the song again once when the CDN refuses its URL (expired), and plays the new URL', async () => {
    serveTone();
    const downloads = await folder('downloads');
    const { resolver, asked } = relay();
    refused.add('/qq-a.mp3?v=1');
    const loaded = await loader(resolver, { downloadDir: downloads }).load(byRef('qq:a'));
    expect((await readFrames(loaded.frames)).length).toBeGreaterThan(30);
    expect(asked).toEqual(['qq:a', 'qq:a']);
    expect(requests.map((request) => request.url)).toEqual(['/qq-a.mp3?v=1', '/qq-a.mp3?v=2']);
  });

  it('skips a song whose new URL is refused too, and remembers it as unplayable', async () => {
    serveTone();
    const downloads = await folder('downloads');
    const { resolver, asked } = relay();
    refused.add('/qq-a.mp3?v=1').add('/qq-a.mp3?v=2');
    await expect(loader(resolver, { downloadDir: downloads }).load(byRef('qq:a'))).rejects.toBeInstanceOf(AudioUrlExpiredError);
    expect(await resolver.resolve('qq:a')).toMatchObject({ ok: false, failure: { reason: 'url-refused' } });
    expect(asked).toHaveLength(2);
  });

  it('skips a song the relay says cannot play', async () => {
    const { resolver } = relay((ref) => failed({ ref, reason: 'no-rights', retryable: false, message: 'no licence' }));
    const failure = await loader(resolver).load(byRef('qq:a')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SongUnplayableError);
    expect(failure).toMatchObject({ ref: 'qq:a', reason: 'no-rights' });
  });

  it.each([
    ['the relay is unreachable', new RelayUnavailableError('the relay did not answer', { url: 'http://relay.invalid/v1/songs' })],
    ['the relay asks to come back later', new RelayRejectedError('rate limited', { url: 'http://relay.invalid/v1/songs', status: 429, reason: 'rate-limited', retryable: true })],
  ])('keeps the song in line (SongNotReadyError) when %s', async (_case, failure) => {
    const { resolver } = relay(() => failure);
    const thrown = await loader(resolver).load(byRef('qq:a')).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(SongNotReadyError);
    expect((thrown as Error).cause).toBe(failure);
  });

  it('passes on a relay refusal that will not change by waiting', async () => {
    const failure = new RelayRejectedError('bad ref', { url: 'http://relay.invalid/v1/songs', status: 400, reason: 'bad-ref', retryable: false });
    const { resolver } = relay(() => failure);
    await expect(loader(resolver).load(byRef('qq:a'))).rejects.toBe(failure);
  });

  it('plays a song from the audio cache the second time: no download, the same frames', async () => {
    serveTone();
    const audioCache = await AudioCache.open({ dir: await folder('cache'), maxBytes: 50_000_000, logger: silentLogger() });
    const { resolver } = relay();
    // Normalisation off: the cached frames are the transcoded ones, byte for byte.
    const { load } = loader(resolver, { downloadDir: await folder('downloads'), audioCache, loudness: () => null });
    const first = await readFrames((await load(byRef('qq:a'))).frames);
    // The entry is committed just after the last frame is read.
    await vi.waitFor(async () => {
      const reader = await audioCache.reader('qq:a', DEFAULT_STREAM_FORMAT);
      reader?.destroy();
      expect(reader).toBeDefined();
    });
    const seen = requests.length;
    const again = await load(byRef('qq:a'));
    expect(again.song).toMatchObject({ title: 'Title of qq:a', artist: 'Someone' });
    expect((await readFrames(again.frames)).map((frame) => frame.bytes)).toEqual(first.map((frame) => frame.bytes));
    expect(requests.length).toBe(seen);
  });

  it('measures a song in the transcode that caches it and brings its cached plays to the station target in 1.5 dB steps, a new target without a new transcode', async () => {
    serveTone();
    const audioCache = await AudioCache.open({ dir: await folder('loudness-cache'), maxBytes: 50_000_000, logger: silentLogger() });
    const { resolver } = relay();
    // Normalisation off for the first play: its frames are the transcoded ones, the reference for the rest.
    let target: number | null = null;
    const { load } = loader(resolver, { downloadDir: await folder('loudness-downloads'), audioCache, loudness: () => target });
    const first = await readFrames((await load(byRef('qq:l'))).frames);
    let loudness: SongLoudness | undefined;
    await vi.waitFor(async () => {
      const reader = await audioCache.reader('qq:l', DEFAULT_STREAM_FORMAT);
      reader?.destroy();
      loudness = reader?.loudness;
      expect(loudness).toBeDefined();
    });
    const measured = await measureLoudness(tone);
    expect(Math.abs(loudness!.integratedLufs - measured.lufs)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(loudness!.truePeakDb - measured.truePeakDb)).toBeLessThanOrEqual(0.5);
    const seen = requests.length;

    const gainsOf = (frames: readonly Mp3Frame[]) => frames.map((frame) => globalGains(frame.bytes));
    const shifted = (steps: number) => gainsOf(first).map((gains) => gains!.map((gain) => gain + steps));
    for (const next of [-16, -20, -24]) {
      target = next;
      const steps = gainSteps(next, loudness);
      expect(steps).not.toBe(0);
      const played = await readFrames((await load(byRef('qq:l'))).frames);
      expect(gainsOf(played)).toEqual(shifted(steps));
    }
    target = null;
    const off = await readFrames((await load(byRef('qq:l'))).frames);
    expect(off.map((frame) => frame.bytes)).toEqual(first.map((frame) => frame.bytes));
    // Every play after the first came from the disk: no download, no transcode.
    expect(requests.length).toBe(seen);

    // A new song, transcoded into the cache as it is loaded, comes with a hold: its frames wait for the
    // measurement unless the station wants them first, so its first play is levelled too.
    target = -20;
    const fresh = await load(byRef('qq:l2'));
    expect(fresh.hold).toBeDefined();
    expect(gainsOf(await readFrames(fresh.frames))).toEqual(shifted(gainSteps(-20, loudness)));
  });

  it('tells onMeasured the figures under the ref its audio is cached as: when the fill commits, and at each play from the cache', async () => {
    serveTone();
    const audioCache = await AudioCache.open({ dir: await folder('measured-cache'), maxBytes: 50_000_000, logger: silentLogger() });
    const { resolver } = relay((ref) => matchedOn(ref, 'netease:8'));
    const told: { ref: string; loudness: SongLoudness }[] = [];
    const { load } = loader(resolver, { downloadDir: await folder('measured-downloads'), audioCache, onMeasured: (ref, loudness) => told.push({ ref, loudness }) });
    await readFrames((await load(byRef('qq:m'))).frames);
    await vi.waitFor(() => expect(told).toHaveLength(1));
    const measured = await measureLoudness(tone);
    expect(told[0]!.ref).toBe('netease:8');
    expect(Math.abs(told[0]!.loudness.integratedLufs - measured.lufs)).toBeLessThanOrEqual(0.5);
    await readFrames((await load(byRef('qq:m'))).frames);
    expect(told).toEqual([told[0], told[0]]);
  });

  it('caches audio matched on another provider under that provider\'s ref: a station with the match off never plays it', async () => {
    serveTone();
    const audioCache = await AudioCache.open({ dir: await folder('match-cache'), maxBytes: 50_000_000, logger: silentLogger() });
    const { resolver } = relay((ref) => matchedOn(ref, 'netease:9'));
    const downloads = await folder('match-downloads');
    const matchOn = loader(resolver, { downloadDir: downloads, audioCache, loudness: () => null });
    const first = await readFrames((await matchOn.load(byRef('qq:a'))).frames);
    await vi.waitFor(async () => {
      const reader = await audioCache.reader('netease:9', DEFAULT_STREAM_FORMAT);
      reader?.destroy();
      expect(reader).toBeDefined();
    });
    expect(audioCache.has('qq:a', DEFAULT_STREAM_FORMAT)).toBe(false);
    // Played again with the match on: the same frames from the disk, no download.
    const seen = requests.length;
    const again = await matchOn.load(byRef('qq:a'));
    expect(again.song).toMatchObject({ title: 'Asked' });
    expect((await readFrames(again.frames)).map((frame) => frame.bytes)).toEqual(first.map((frame) => frame.bytes));
    expect(requests.length).toBe(seen);
  });
});
