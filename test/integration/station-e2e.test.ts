import { createServer, type Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMp3 } from '../support/decode.js';
import { makeCorruptFile, makeTone, makeTruncatedFile } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';
import { wholeFrames } from '../support/whole-frames.js';
import { isAlive, startWorker, type WorkerProcess } from '../support/worker-process.js';

const CJK_TITLE = `晴天 & 'Quote' "Double"`;

function stationConfig(icecast: IcecastServer, mount: string, songs: unknown[]) {
  return {
    icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
    stations: [{ name: 'e2e', mount, songs }],
    logLevel: 'debug',
  };
}

describe('relaycast start, end to end against a real Icecast', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2');
    icecast = await startIcecast();
    temp = await makeTempDir('e2e');
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await icecast?.stop();
    await temp?.remove();
  });

  it('plays songs in order through a corrupt and a truncated file without dropping the listener', async () => {
    const dir = temp.dir;
    const alpha = await makeTone({ path: join(dir, 'alpha.m4a'), seconds: 3, frequency: 440, format: 'm4a', title: 'Alpha', artist: 'Tester' });
    const corrupt = await makeCorruptFile(join(dir, 'corrupt.m4a'));
    const bravo = await makeTone({ path: join(dir, 'bravo.m4a'), seconds: 3, frequency: 660, format: 'm4a', title: CJK_TITLE, artist: '周杰伦' });
    const charlieFull = await makeTone({ path: join(dir, 'charlie-full.m4a'), seconds: 4, frequency: 880, format: 'm4a', title: 'Charlie', moovAtEnd: false });
    const charlie = await makeTruncatedFile(charlieFull, join(dir, 'charlie-truncated.m4a'), 0.5);
    const delta = await makeTone({ path: join(dir, 'delta.m4a'), seconds: 2.5, frequency: 550, format: 'm4a', title: 'Delta', artist: 'Tester' });

    const worker = await startWorker(stationConfig(icecast, '/e2e.mp3', [alpha, corrupt, bravo, charlie, delta]));
    workers.push(worker);
    await icecast.waitForMount('/e2e.mp3', 5_000);
    const listener = await listen(`${icecast.url}/e2e.mp3`, { icyMetadata: true });

    // The whole list once, then the first song again: the loop goes on and does not stop at the bad files.
    await listener.waitForTitle(() => listener.titles.filter((seen) => seen.title).length >= 5, 40_000);
    listener.close();

    expect(listener.disconnected?.reason ?? 'closed by the test').toBe('closed by the test');
    const titles = listener.titles.map((seen) => seen.title).filter(Boolean);
    expect(titles).toEqual(['Tester - Alpha', `周杰伦 - ${CJK_TITLE}`, 'Charlie', 'Tester - Delta', 'Tester - Alpha']);

    const decoded = await decodeMp3(await wholeFrames(listener.audio()), { minSilenceSec: 0.05 });
    expect(decoded.errors).toEqual([]);
    const firstMusic = decoded.silences[0]?.start === 0 ? decoded.silences[0].end : 0;
    const gaps = decoded.silences.filter((silence) => silence.start > firstMusic + 0.01 && silence.end < decoded.durationSec - 0.05);
    expect(Math.max(0, ...gaps.map((gap) => gap.duration))).toBeLessThanOrEqual(1);

    const skipped = worker.events.filter((event) => event.msg === 'song skipped: it could not be played');
    // Once per pass over the list, never a retry spin: songs are prepared up to a minute ahead (at most
    // MAX_PREPARED_TRACKS of them), so by the second Alpha the third pass's copy may have been tried too.
    expect([...new Set(skipped.map((event) => event.song))]).toEqual([corrupt]);
    expect(skipped.length).toBeLessThanOrEqual(3);
    expect(JSON.stringify(worker.events)).not.toContain(icecast.sourcePassword);
    const stopped = await worker.stop();
    expect(stopped.code).toBe(0);
  });

  it('plays local: refs from a music folder with no relay and no Redis (the providers run in the worker)', async () => {
    const music = join(temp.dir, 'embedded-music');
    await mkdir(join(music, 'album'), { recursive: true });
    await makeTone({ path: join(music, 'album', 'one.m4a'), seconds: 2, frequency: 500, format: 'm4a', title: 'Embedded One', artist: 'Folder' });
    await makeTone({ path: join(music, 'two.m4a'), seconds: 2, frequency: 700, format: 'm4a', title: 'Embedded Two', artist: 'Folder' });
    const worker = await startWorker({ ...stationConfig(icecast, '/embedded.mp3', ['local:album/one.m4a', 'local:two.m4a']), musicDir: music });
    workers.push(worker);
    await icecast.waitForMount('/embedded.mp3', 5_000);
    const listener = await listen(`${icecast.url}/embedded.mp3`, { icyMetadata: true });
    await listener.waitForTitle(() => listener.titles.filter((seen) => seen.title).length >= 3, 20_000);
    listener.close();
    expect(listener.titles.map((seen) => seen.title).filter(Boolean).slice(0, 3)).toEqual(['Folder - Embedded One', 'Folder - Embedded Two', 'Folder - Embedded One']);
    await worker.stop();
  });

  it('brings the mount up within 1 s of start although no song is ready yet (silence first)', async () => {
    const hanging: Server = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    try {
      const worker = await startWorker(stationConfig(icecast, '/silent.mp3', [`http://127.0.0.1:${port}/never.m4a`]));
      workers.push(worker);
      // From the worker's first log line (Node has started and read the config) to Icecast listing the
      // mount: what the worker itself does before the mount is up. Node's own start-up is the bench's business.
      const starting = await worker.waitForEvent((event) => event.msg === 'worker starting', 5_000);
      await icecast.waitForMount('/silent.mp3', 5_000);
      const upAfterMs = Date.now() - Date.parse(String(starting.time));
      const listener = await listen(`${icecast.url}/silent.mp3`);
      await listener.waitForBytes(64 * 1024, 10_000);
      listener.close();
      const decoded = await decodeMp3(await wholeFrames(listener.audio()));
      expect(decoded.errors).toEqual([]);
      expect(upAfterMs).toBeLessThan(1_000);
      await worker.stop();
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('is back on the mount with its title within 2 s of a restarted Icecast accepting again', async () => {
    const song = await makeTone({ path: join(temp.dir, 'long.m4a'), seconds: 60, frequency: 500, format: 'm4a', title: 'Long Song', artist: 'Tester' });
    const worker = await startWorker(stationConfig(icecast, '/restart.mp3', [song]));
    workers.push(worker);
    await icecast.waitForMount('/restart.mp3', 5_000);
    await worker.waitForEvent((event) => event.msg === 'now playing', 10_000);

    const acceptingAt = await icecast.restart();
    const mount = await icecast.waitForMount('/restart.mp3', 5_000);
    const backAfterMs = performance.now() - acceptingAt;
    const listener = await listen(`${icecast.url}/restart.mp3`, { icyMetadata: true });
    await listener.waitForTitle((title) => title === 'Tester - Long Song', 5_000);
    listener.close();
    expect(mount.mount).toBe('/restart.mp3');
    expect(backAfterMs).toBeLessThan(2_000);
    await worker.stop();
  });

  it('stops within 2 s on SIGTERM and leaves no ffmpeg behind', async () => {
    const song = await makeTone({ path: join(temp.dir, 'stop.m4a'), seconds: 120, frequency: 300, format: 'm4a', title: 'Stop' });
    const worker = await startWorker(stationConfig(icecast, '/stop.mp3', [song, song]));
    workers.push(worker);
    await worker.waitForEvent((event) => event.msg === 'now playing', 10_000);
    const children = worker.childPids();
    expect(children.length).toBeGreaterThan(0);
    const stopped = await worker.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.tookMs).toBeLessThan(2_000);
    expect(children.filter(isAlive)).toEqual([]);
  });

  it('refuses a bad config with one line naming the key and exit code 2', async () => {
    const worker = await startWorker(stationConfig(icecast, 'no-slash.mp3', []));
    workers.push(worker);
    const stopped = await new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    expect(stopped).toBe(2);
    const lines = worker.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/stations\[0\]\.mount/);
  });
});
