import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTags } from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createRelayServer, type RelayServer } from '../../src/relay/index.js';
import { TAG_READS_AT_ONCE } from '../../src/relay/providers/local/tag-reads.js';
import { freePort } from '../support/ports.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const run = promisify(execFile);
const TOKEN = 'integration-relay-token-local';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A 3 s sine tone; ffmpeg writes an m4a's moov index at the end, as QQ files often have it. */
async function tone(path: string, codec: 'aac' | 'libmp3lame', metadata: Record<string, string>): Promise<void> {
  const tags = Object.entries(metadata).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=3', '-c:a', codec, ...tags, path], { timeout: 30_000 });
}

describe('relay serving a local music folder', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let music: string;
  let relay: RelayServer;
  let bytes: Buffer;
  const clock = { offsetMs: 0 };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe');
    temp = await makeTempDir('relay-it');
    music = join(temp.dir, 'music');
    await mkdir(join(music, 'Tones'), { recursive: true });
    await mkdir(join(temp.dir, 'outside'));
    await tone(join(music, 'Tones/sine 440.m4a'), 'aac', { title: 'Sine 440', artist: 'Test Tones', album: 'Fixtures' });
    await tone(join(music, 'Tones/Nobody - Untagged.mp3'), 'libmp3lame', {});
    await tone(join(temp.dir, 'outside/secret.m4a'), 'aac', {});
    await symlink(join(temp.dir, 'outside/secret.m4a'), join(music, 'escape.m4a'));
    await writeFile(join(music, 'evening.m3u'), '#EXTM3U\nTones/sine 440.m4a\n#EXTINF:3,Someone - Else\nTones/Nobody - Untagged.mp3\n../outside/secret.m4a\nescape.m4a\n');
    bytes = await readFile(join(music, 'Tones/sine 440.m4a'));

    const port = await freePort();
    relay = createRelayServer({
      config: { token: TOKEN, publicBaseUrl: `http://127.0.0.1:${port}/`, local: { musicDir: music, fileUrlTtlSec: 600 } },
      logger: silentLogger(),
      now: () => Date.now() + clock.offsetMs,
    });
    await relay.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await relay?.close();
    await temp?.remove();
  });

  async function resolveSine(): Promise<Record<string, any>> {
    return got(`${relay.url}/v1/songs/local:${encodeURIComponent('Tones/sine 440.m4a')}`, { headers: AUTH }).json();
  }

  it('resolves a local song to its tags (ffprobe, the default reader) and a signed URL on the relay', async () => {
    const song = await resolveSine();
    expect(song).toMatchObject({
      ref: 'local:Tones/sine 440.m4a',
      title: 'Sine 440',
      artists: ['Test Tones'],
      artist: 'Test Tones',
      album: 'Fixtures',
      coverUrl: null,
      audio: { url: expect.stringMatching(new RegExp(`^${relay.url}/v1/files/[\\w-]+\\.[\\w-]+$`)), format: 'm4a', bitrate: null, size: bytes.length },
    });
    expect(Math.abs(song.durationMs - 3000)).toBeLessThan(100);
    expect(Date.parse(song.audio.expiresAt) - Date.now()).toBeGreaterThan(590_000);
  });

  it('serves the file at that URL, without a bearer token, whole and by byte range', async () => {
    const { audio } = await resolveSine();
    const whole = await got(audio.url, { responseType: 'buffer' });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-type']).toBe('audio/mp4');
    expect(whole.body.equals(bytes)).toBe(true);

    const head = await got(audio.url, { headers: { range: 'bytes=0-8191' }, responseType: 'buffer' });
    expect(head.statusCode).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-8191/${bytes.length}`);
    expect(head.headers['content-length']).toBe('8192');
    expect(head.body.equals(bytes.subarray(0, 8192))).toBe(true);

    const tail = await got(audio.url, { headers: { range: 'bytes=-100' }, responseType: 'buffer' });
    expect(tail.statusCode).toBe(206);
    expect(tail.body.equals(bytes.subarray(bytes.length - 100))).toBe(true);

    const past = await got(audio.url, { headers: { range: `bytes=${bytes.length}-` }, throwHttpErrors: false });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);

    const headers = await got.head(audio.url);
    expect(headers.headers['content-length']).toBe(String(bytes.length));
  });

  it('serves a URL ffprobe can read over HTTP, moov at the end included (it needs range requests)', async () => {
    const { audio } = await resolveSine();
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', audio.url], { timeout: 20_000 });
    expect(Number((JSON.parse(stdout) as { format: { duration: string } }).format.duration)).toBeCloseTo(3, 0);
  });

  it('answers 403 for a tampered or expired file URL', async () => {
    const { audio } = await resolveSine();
    // Another file's path under the same signature.
    const [payload = '', signature = ''] = audio.url.slice(`${relay.url}/v1/files/`.length).split('.');
    const otherPath = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('sine 440.m4a', 'Nobody - Untagged.mp3')).toString('base64url');
    const tampered = `${relay.url}/v1/files/${otherPath}.${signature}`;
    expect((await got(tampered, { throwHttpErrors: false })).statusCode).toBe(403);
    clock.offsetMs = 601_000;
    try {
      expect((await got(audio.url, { throwHttpErrors: false })).statusCode).toBe(403);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('answers 404 for a file that is not there or leads out of the folder, 400 for a path that tries to', async () => {
    const missing = await got(`${relay.url}/v1/songs/local:nope.m4a`, { headers: AUTH, throwHttpErrors: false });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ ref: 'local:nope.m4a', error: { reason: 'not-found' } });
    const escaping = await got(`${relay.url}/v1/songs/local:escape.m4a`, { headers: AUTH, throwHttpErrors: false });
    expect(escaping.statusCode).toBe(404);
    const traversal = await got(`${relay.url}/v1/songs/local:..%2Foutside%2Fsecret.m4a`, { headers: AUTH, throwHttpErrors: false });
    expect(traversal.statusCode).toBe(400);
  });

  it('lists an M3U playlist of the folder, leaving out what lies outside it', async () => {
    const page = await got(`${relay.url}/v1/playlists/local:playlist:evening?limit=10`, { headers: AUTH }).json<Record<string, any>>();
    expect(page).toMatchObject({ ref: 'local:playlist:evening', name: 'evening', total: 2, offset: 0, limit: 10 });
    expect(page.songs).toEqual([
      { ref: 'local:Tones/sine 440.m4a', title: 'Sine 440', artist: 'Test Tones', artists: ['Test Tones'], durationMs: expect.any(Number) },
      { ref: 'local:Tones/Nobody - Untagged.mp3', title: 'Else', artist: 'Someone', artists: ['Someone'], durationMs: 3000 },
    ]);
  });

  it('names an untagged file after itself', async () => {
    const song = await got(`${relay.url}/v1/songs/local:${encodeURIComponent('Tones/Nobody - Untagged.mp3')}`, { headers: AUTH }).json<Record<string, any>>();
    expect(song).toMatchObject({ title: 'Untagged', artists: ['Nobody'], audio: { format: 'mp3', size: (await stat(join(music, 'Tones/Nobody - Untagged.mp3'))).size } });
  });
});

describe('relay reading tags of local files under concurrent first requests', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let relay: RelayServer;
  const reads: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const DISTINCT_FILES = 12;

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe');
    temp = await makeTempDir('relay-tags');
    const music = join(temp.dir, 'music');
    await mkdir(music);
    await tone(join(music, 'shared.m4a'), 'aac', { title: 'Shared', artist: 'Everyone' });
    for (let i = 0; i < DISTINCT_FILES; i += 1) await copyFile(join(music, 'shared.m4a'), join(music, `copy ${i}.m4a`));

    const port = await freePort();
    relay = createRelayServer({
      config: {
        token: TOKEN,
        publicBaseUrl: `http://127.0.0.1:${port}/`,
        local: { musicDir: music },
        rateLimit: { burst: 1000, perSecond: 1000 },
      },
      logger: silentLogger(),
      // The real ffprobe, counted: how many runs start, and how many at once.
      tagReader: async (absPath) => {
        reads.push(absPath);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await probeTags(absPath);
        } finally {
          inFlight -= 1;
        }
      },
    });
    await relay.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await relay?.close();
    await temp?.remove();
  });

  const resolve = (name: string) =>
    got(`${relay.url}/v1/songs/local:${encodeURIComponent(name)}`, { headers: AUTH, throwHttpErrors: false, retry: { limit: 0 } });

  it('starts one ffprobe for 50 concurrent first requests of the same file, and every request gets the tags', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => resolve('shared.m4a')));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array<number>(50).fill(200));
    expect(answers.every((answer) => (JSON.parse(answer.body) as { title: string }).title === 'Shared')).toBe(true);
    expect(reads.filter((path) => path.endsWith('shared.m4a'))).toHaveLength(1);
  });

  it(`runs at most ${TAG_READS_AT_ONCE} tag reads at once, however many files are asked for together`, async () => {
    const answers = await Promise.all(Array.from({ length: DISTINCT_FILES }, (_, i) => resolve(`copy ${i}.m4a`)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array<number>(DISTINCT_FILES).fill(200));
    expect(mostInFlight).toBeLessThanOrEqual(TAG_READS_AT_ONCE);
  });
});
