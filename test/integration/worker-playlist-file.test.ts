import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type LogEvent, type WorkerProcess } from '../support/worker-process.js';

/** How long after an edit the worker must have applied it (the target; Liquidsoap needs 0.7 s). */
const APPLY_WITHIN_MS = 1_000;

const timeOf = (event: LogEvent) => Date.parse(String(event.time));

/** Saves the way editors do: a temp file renamed over the old one. Returns when the rename happened. */
async function save(path: string, lines: string[]): Promise<number> {
  await writeFile(`${path}.tmp`, `#EXTM3U\n${lines.join('\n')}\n`);
  await rename(`${path}.tmp`, path);
  return Date.now();
}

describe('file mode: a station follows its .m3u playlist file', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  const workers: WorkerProcess[] = [];
  const songs: Record<string, string> = {};

  const startStation = async (mount: string, playlistFile: string) => {
    const worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      stations: [{ name: mount.slice(1, -4), mount, playlistFile }],
      logLevel: 'debug',
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2');
    temp = await makeTempDir('playlist-file');
    icecast = await startIcecast();
    for (const [index, name] of ['alpha', 'bravo', 'new'].entries()) {
      songs[name] = await makeTone({ path: join(temp.dir, `${name}.m4a`), seconds: 4, frequency: 400 + 100 * index, format: 'm4a', title: name, artist: 'File' });
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await icecast?.stop();
    await temp?.remove();
  });

  it('an edit applies from the next song, within 1 s of the save', async () => {
    const playlist = join(temp.dir, 'edited.m3u');
    await save(playlist, [songs.alpha!, songs.bravo!]);
    const worker = await startStation('/edited.mp3', playlist);
    await icecast.waitForMount('/edited.mp3', 10_000);
    const listener = await listen(`${icecast.url}/edited.mp3`, { icyMetadata: true });
    await worker.waitForEvent((event) => event.msg === 'now playing' && event.title === 'alpha', 20_000);

    const savedAt = await save(playlist, [songs.new!]);
    const applied = await worker.waitForEvent((event) => event.msg.startsWith('playlist file changed'), 5_000);
    expect(timeOf(applied) - savedAt).toBeLessThan(APPLY_WITHIN_MS);

    const after = (event: LogEvent) => worker.events.indexOf(event) > worker.events.indexOf(applied);
    const next = await worker.waitForEvent((event) => event.msg === 'now playing' && after(event), 20_000);
    expect(next.title).toBe('new');
    await listener.waitForTitle((title) => title === 'File - new', 10_000);
    expect(listener.disconnected).toBeUndefined();
    listener.close();
  });

  it('SIGHUP re-reads the file; an unusable file keeps the last good list with one warning', async () => {
    const playlist = join(temp.dir, 'hup.m3u');
    await save(playlist, [songs.alpha!]);
    const worker = await startStation('/hup.mp3', playlist);
    await worker.waitForEvent((event) => event.msg === 'now playing' && event.title === 'alpha', 20_000);

    await writeFile(`${playlist}`, Buffer.from([0, 1, 2, 0xff, 0xfe, 0]));
    await worker.waitForEvent((event) => event.msg === 'cannot use the playlist file: keeping the last good list', 5_000);
    worker.child.kill('SIGHUP');
    await worker.waitForEvent((event) => event.msg === 'SIGHUP: reading the playlist files again', 5_000);
    // Still alpha after alpha: the last good list plays on, and the same trouble is not warned twice.
    const marker = worker.events.length;
    await worker.waitForEvent((event) => event.msg === 'now playing' && worker.events.indexOf(event) >= marker, 20_000);
    expect(worker.events.slice(marker).filter((event) => event.msg === 'now playing').map((event) => event.title)).toEqual(['alpha']);
    expect(worker.events.filter((event) => event.msg === 'cannot use the playlist file: keeping the last good list')).toHaveLength(1);
    expect(worker.child.exitCode).toBeNull();
  });

  it('a missing file at start: the mount is up and silent, then music once the file appears', async () => {
    const playlist = join(temp.dir, 'later.m3u');
    const worker = await startStation('/later.mp3', playlist);
    const warning = await worker.waitForEvent((event) => event.msg.startsWith('playlist file missing'), 10_000);
    expect(warning.level).toBe('warn');
    await icecast.waitForMount('/later.mp3', 10_000);
    const listener = await listen(`${icecast.url}/later.mp3`, { icyMetadata: true });
    await listener.waitForBytes(16_000, 10_000);
    expect(worker.events.some((event) => event.msg === 'now playing')).toBe(false);

    const savedAt = await save(playlist, [songs.bravo!]);
    const applied = await worker.waitForEvent((event) => event.msg.startsWith('playlist file changed'), 5_000);
    expect(timeOf(applied) - savedAt).toBeLessThan(APPLY_WITHIN_MS);
    const playing = await worker.waitForEvent((event) => event.msg === 'now playing', 20_000);
    expect(playing.title).toBe('bravo');
    await listener.waitForTitle((title) => title === 'File - bravo', 10_000);
    expect(listener.disconnected).toBeUndefined();
    listener.close();
  });
});
