import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { Programme, RETRY_NOT_READY_MS, RETRY_WHEN_EMPTY_MS, type FrameLoader, type SongSupplier } from '../../../src/station/programme.js';
import type { Song } from '../../../src/station/song.js';
import { SongNotReadyError } from '../../../src/station/errors.js';
import { ListSupplier } from '../../../src/station/list-supplier.js';
import { systemClock } from '../../../src/time/clock.js';
import { inBatches } from '../../support/frames.js';

const silenceFrame = { bytes: Buffer.from('silence'), samples: 1152 };
const silence = { next: () => silenceFrame };
const frameOf = (label: string, index: number) => ({ bytes: Buffer.from(`${label}:${index}`), samples: 1152 });

function song(ref: string): Song {
  return { ref, title: ref, artist: 'test' };
}

function listSupplier(refs: string[]): SongSupplier {
  let next = 0;
  return { nextSong: async () => song(refs[next++ % refs.length]!) };
}

/** Frames come from an in-memory stream; a ref starting with "bad" fails the way an undecodable file does. */
const memoryLoader = (framesPerSong: number): FrameLoader => ({
  async load(entry) {
    if (entry.ref.startsWith('bad')) {
      const failing = new Readable({ objectMode: true, read() {} });
      setImmediate(() => failing.destroy(new Error('undecodable')));
      return { song: entry, frames: failing };
    }
    const frames = Readable.from(inBatches(Array.from({ length: framesPerSong }, (_, index) => frameOf(entry.ref, index))));
    return { song: entry, frames };
  },
});

async function collect(programme: Programme, count: number): Promise<string[]> {
  const played: string[] = [];
  for (let guard = 0; played.length < count && guard < count * 50; guard += 1) {
    const frame = programme.nextFrame();
    if (frame !== silenceFrame) played.push(frame.bytes.toString());
    await new Promise((resolve) => setImmediate(resolve));
  }
  return played;
}

describe('Programme', () => {
  it('plays songs back to back in order and announces each when its first frame goes out', async () => {
    const programme = new Programme({ supplier: listSupplier(['a', 'b', 'c']), loader: memoryLoader(3), silence, logger: silentLogger() });
    const started: string[] = [];
    programme.on('track-start', (entry) => started.push(entry.ref));
    programme.start();
    const played = await collect(programme, 9);
    programme.close();
    expect(played).toEqual(['a:0', 'a:1', 'a:2', 'b:0', 'b:1', 'b:2', 'c:0', 'c:1', 'c:2']);
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('sends silence, never nothing, while no song is ready', () => {
    const supplier: SongSupplier = { nextSong: () => new Promise(() => {}) };
    const programme = new Programme({ supplier, loader: memoryLoader(3), silence, logger: silentLogger() });
    programme.start();
    for (let index = 0; index < 100; index += 1) expect(programme.nextFrame()).toBe(silenceFrame);
    programme.close();
  });

  it('skips a song that fails to decode and keeps the order of the rest', async () => {
    const programme = new Programme({ supplier: listSupplier(['a', 'bad', 'c']), loader: memoryLoader(2), silence, logger: silentLogger() });
    const ended: string[] = [];
    programme.on('track-end', (entry, reason) => ended.push(`${entry.ref}:${reason}`));
    programme.start();
    const played = await collect(programme, 6);
    programme.close();
    expect(played).toEqual(['a:0', 'a:1', 'c:0', 'c:1', 'a:0', 'a:1']);
    expect(ended).toContain('bad:failed');
  });

  it('skip ends the current song at once and the prepared one follows', async () => {
    const programme = new Programme({ supplier: listSupplier(['a', 'b']), loader: memoryLoader(100), silence, logger: silentLogger() });
    programme.start();
    await collect(programme, 2);
    programme.skip();
    const [next] = await collect(programme, 1);
    programme.close();
    expect(next).toBe('b:0');
  });

  it('keeps a song that cannot be prepared for a passing reason in line instead of skipping it', async () => {
    let relayUp = false;
    const loader: FrameLoader = {
      async load(entry) {
        if (!relayUp) throw new SongNotReadyError(entry.ref, new Error('relay unreachable'));
        return memoryLoader(2).load(entry, new AbortController().signal);
      },
    };
    const timers: (() => void)[] = [];
    const programme = new Programme({
      supplier: new ListSupplier([{ location: 'local:a.m4a' }, { location: 'local:b.m4a' }], async () => ({})),
      loader,
      silence,
      logger: silentLogger(),
      clock: {
        ...systemClock,
        setTimeout: (callback) => {
          timers.push(callback);
          return { clear: () => undefined };
        },
      },
    });
    const ended: string[] = [];
    programme.on('track-end', (entry, reason) => ended.push(`${entry.ref}:${reason}`));
    programme.start();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(programme.nextFrame()).toBe(silenceFrame);
      timers.shift()?.();
    }
    relayUp = true;
    timers.shift()?.();
    const played = await collect(programme, 4);
    programme.close();
    expect(played).toEqual(['local:a.m4a:0', 'local:a.m4a:1', 'local:b.m4a:0', 'local:b.m4a:1']);
    expect(ended.filter((entry) => entry.endsWith(':failed'))).toEqual([]);
  });

  it('asks for the next song at once on replan, without waiting out a retry of an empty list', async () => {
    const refs: string[] = [];
    const supplier: SongSupplier = { nextSong: async () => (refs.length > 0 ? song(refs.shift()!) : null) };
    const pending: { callback: () => void; cleared: boolean }[] = [];
    const programme = new Programme({
      supplier,
      loader: memoryLoader(2),
      silence,
      logger: silentLogger(),
      clock: {
        ...systemClock,
        setTimeout: (callback) => {
          const timer = { callback, cleared: false };
          pending.push(timer);
          return { clear: () => void (timer.cleared = true) };
        },
      },
    });
    programme.start();
    for (let turn = 0; turn < 50 && pending.length === 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(pending).toHaveLength(1);
    refs.push('added');
    programme.replan();
    const played = await collect(programme, 2);
    programme.close();
    expect(played).toEqual(['added:0', 'added:1']);
    expect(pending[0]!.cleared).toBe(true);
  });

  it('re-reads an empty list only as a safety net, and retries a failed pick sooner', async () => {
    const waits: number[] = [];
    const answers = [async () => null, async (): Promise<Song | null> => { throw new Error('Redis is down'); }];
    const supplier: SongSupplier = { nextSong: () => (answers.shift() ?? (() => new Promise<Song | null>(() => {})))() };
    const programme = new Programme({
      supplier,
      loader: memoryLoader(2),
      silence,
      logger: silentLogger(),
      clock: {
        ...systemClock,
        setTimeout: (callback, ms) => {
          waits.push(ms);
          setImmediate(callback);
          return { clear: () => undefined };
        },
      },
    });
    programme.start();
    for (let turn = 0; turn < 50 && waits.length < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    programme.close();
    expect(waits).toEqual([RETRY_WHEN_EMPTY_MS, RETRY_NOT_READY_MS]);
  });
});
