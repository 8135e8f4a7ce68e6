import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { SongNotReadyError, SongStalledError } from '../../../src/station/errors.js';
import { MAX_PREPARED_TRACKS, Programme, type FrameLoader, type SongSupplier } from '../../../src/station/programme.js';
import { KEPT_ASIDE_RETRY_MS } from '../../../src/station/set-aside.js';
import type { Song } from '../../../src/station/song.js';
import { systemClock } from '../../../src/time/clock.js';
import { inBatches } from '../../support/frames.js';

const BUDGET_MS = 10_000;
/** One pacer tick of 150 ms: the programme is asked for frames this often. */
const TICK_MS = 150;
const silenceFrame = { bytes: Buffer.from('silence'), samples: 1152 };
const silence = { next: () => silenceFrame };

function song(ref: string, durationMs?: number): Song {
  return { ref, title: ref, artist: 'test', ...(durationMs ? { durationMs } : {}) };
}

/** Hands out `refs` in order, looping, and records what the programme reports as used up. */
function recordingSupplier(refs: string[], durationMs?: number) {
  let next = 0;
  const consumed: string[] = [];
  const supplier: SongSupplier = {
    nextSong: async () => song(refs[next++ % refs.length]!, durationMs),
    consumed: (entry) => consumed.push(entry.ref),
    forget: (songs) => void (next -= songs.length),
  };
  return { supplier, consumed };
}

interface Scripted {
  loader: FrameLoader;
  /** Loads started, by ref, in order. */
  started: string[];
  /** Loads whose signal was aborted. */
  aborted: string[];
}

/**
 * Songs whose ref starts with "hang" never finish loading; "mute" load at once but never yield a frame (a
 * stalled source); "down" fail as not ready while `down.value`; the rest yield 40 frames.
 */
function scriptedLoader(down = { value: false }): Scripted {
  const started: string[] = [];
  const aborted: string[] = [];
  const loader: FrameLoader = {
    load(entry, signal) {
      started.push(entry.ref);
      signal.addEventListener('abort', () => aborted.push(entry.ref));
      if (entry.ref.startsWith('hang')) return new Promise(() => {});
      if (entry.ref.startsWith('down') && down.value) return Promise.reject(new SongNotReadyError(entry.ref, new Error('relay unreachable')));
      if (entry.ref.startsWith('mute')) return Promise.resolve({ song: entry, frames: new Readable({ objectMode: true, read() {} }) });
      const frames = Readable.from(inBatches(Array.from({ length: 40 }, (_, index) => ({ bytes: Buffer.from(`${entry.ref}:${index}`), samples: 1152 }))));
      return Promise.resolve({ song: entry, frames });
    },
  };
  return { loader, started, aborted };
}

/** Drives the programme like the pacer does: one frame per tick of fake time; returns what played. */
class Driver {
  time = 0;
  readonly played: string[] = [];
  readonly timers: { due: number; callback: () => void; cleared: boolean }[] = [];
  readonly programme: Programme;

  constructor(supplier: SongSupplier, loader: FrameLoader) {
    this.programme = new Programme({
      supplier,
      loader,
      silence,
      logger: silentLogger(),
      silenceBudgetMs: BUDGET_MS,
      clock: {
        ...systemClock,
        now: () => this.time,
        setTimeout: (callback, ms) => {
          const timer = { due: this.time + ms, callback, cleared: false };
          this.timers.push(timer);
          return { clear: () => void (timer.cleared = true) };
        },
      },
    });
  }

  /** Plays for `ms` of fake time; returns the longest run of silence in it, in ms. */
  async run(ms: number): Promise<number> {
    let longest = 0;
    let silentFor = 0;
    for (const end = this.time + ms; this.time < end; this.time += TICK_MS) {
      for (const timer of this.timers.filter((candidate) => !candidate.cleared && candidate.due <= this.time)) {
        timer.cleared = true;
        timer.callback();
      }
      await new Promise((resolve) => setImmediate(resolve));
      const frame = this.programme.nextFrame();
      if (frame === silenceFrame) {
        silentFor += TICK_MS;
        longest = Math.max(longest, silentFor);
      } else {
        silentFor = 0;
        this.played.push(frame.bytes.toString().split(':')[0]!);
      }
    }
    return longest;
  }

  /** Songs in the order they were heard. */
  get heard(): string[] {
    return this.played.filter((ref, index) => this.played[index - 1] !== ref);
  }
}

describe('Programme silence budget', () => {
  it('plays the next song within the budget when a preparation never ends, and cancels it', async () => {
    const { supplier, consumed } = recordingSupplier(['hang-a', 'b']);
    const scripted = scriptedLoader();
    const driver = new Driver(supplier, scripted.loader);
    driver.programme.start();
    const longest = await driver.run(20_000);
    driver.programme.close();
    expect(longest).toBeLessThanOrEqual(BUDGET_MS);
    expect(driver.heard[0]).toBe('b');
    expect(scripted.aborted).toContain('hang-a');
    // The slow song was handed back in order before the one that played.
    expect(consumed.indexOf('hang-a')).toBeLessThan(consumed.indexOf('b'));
  });

  it('puts aside a track whose source stalls before its first frame, and remembers it for a while', async () => {
    const { supplier } = recordingSupplier(['mute-a', 'b', 'c']);
    const scripted = scriptedLoader();
    const driver = new Driver(supplier, scripted.loader);
    const failures: unknown[] = [];
    driver.programme.on('track-end', (_entry, reason, error) => reason === 'failed' && failures.push(error));
    driver.programme.start();
    const longest = await driver.run(30_000);
    driver.programme.close();
    expect(longest).toBeLessThanOrEqual(BUDGET_MS);
    expect(failures[0]).toBeInstanceOf(SongStalledError);
    // Handed out again while remembered, the stalled song is skipped untried: b plays back to back.
    expect(scripted.started.filter((ref) => ref === 'mute-a')).toHaveLength(1);
    expect(driver.heard.slice(0, 4)).toEqual(['b', 'c', 'b', 'c']);
  });

  it('skips the song being prepared when asked to while nothing plays', async () => {
    const { supplier } = recordingSupplier(['hang-a', 'b']);
    const scripted = scriptedLoader();
    const driver = new Driver(supplier, scripted.loader);
    const ended: string[] = [];
    driver.programme.on('track-end', (entry, reason) => ended.push(`${entry.ref}:${reason}`));
    driver.programme.start();
    await driver.run(1_000);
    driver.programme.skip();
    await driver.run(1_000);
    driver.programme.close();
    expect(ended).toContain('hang-a:skipped');
    expect(scripted.aborted).toContain('hang-a');
    expect(driver.heard[0]).toBe('b');
  });

  it('keeps a song that stays not ready aside to try again, and plays the songs behind it meanwhile', async () => {
    const down = { value: true };
    const { supplier } = recordingSupplier(['down-a', 'b', 'c']);
    const scripted = scriptedLoader(down);
    const driver = new Driver(supplier, scripted.loader);
    driver.programme.start();
    const longest = await driver.run(12_000);
    expect(longest).toBeLessThanOrEqual(BUDGET_MS);
    expect(driver.heard.slice(0, 2)).toEqual(['b', 'c']);
    down.value = false;
    await driver.run(KEPT_ASIDE_RETRY_MS + 5_000);
    driver.programme.close();
    expect(driver.heard).toContain('down-a');
  });

  it('prepares one song until the first plays, then a minute of songs ahead (at most MAX_PREPARED_TRACKS), a long song alone', async () => {
    const short = scriptedLoader();
    const shortDriver = new Driver(recordingSupplier(['a', 'b', 'c', 'd'], 8_000).supplier, short.loader);
    shortDriver.programme.start();
    for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(short.started).toEqual(['a']);
    await shortDriver.run(TICK_MS * 2);
    shortDriver.programme.close();
    // 8 s songs: a minute would be eight of them, the bound stops at MAX_PREPARED_TRACKS beyond the one on air.
    expect(short.started).toEqual(['a', 'b', 'c', 'd', 'a', 'b', 'c'].slice(0, 1 + MAX_PREPARED_TRACKS));

    // 20 s songs: three of them make the minute.
    const medium = scriptedLoader();
    const mediumDriver = new Driver(recordingSupplier(['a', 'b', 'c', 'd', 'e'], 20_000).supplier, medium.loader);
    mediumDriver.programme.start();
    await mediumDriver.run(TICK_MS * 2);
    mediumDriver.programme.close();
    expect(medium.started).toEqual(['a', 'b', 'c', 'd']);

    const long = scriptedLoader();
    const longDriver = new Driver(recordingSupplier(['a', 'b', 'c', 'd'], 240_000).supplier, long.loader);
    longDriver.programme.start();
    await longDriver.run(TICK_MS * 2);
    longDriver.programme.close();
    expect(long.started).toEqual(['a', 'b']);
  });
});

describe('Programme replans', () => {
  it('hands back a song whose pick was on its way when a replan came, and prepares what comes next now', async () => {
    // The list is a, b, c; a queued song q goes first from the moment the replan is asked for.
    let queued = false;
    let next = 0;
    const list = ['a', 'b', 'c'];
    const picks: Array<() => void> = [];
    const forgotten: string[] = [];
    const supplier: SongSupplier = {
      nextSong: async () => {
        // Each pick reads the list as it is now, then waits to be let through (Redis on its way back).
        const ref = queued ? 'q' : list[next++ % list.length]!;
        await new Promise<void>((resolve) => picks.push(resolve));
        return song(ref, 30_000);
      },
      consumed: () => undefined,
      forget: (songs) => {
        forgotten.push(...songs.map((entry) => entry.ref));
        next -= songs.filter((entry) => entry.ref !== 'q').length;
      },
    };
    const scripted = scriptedLoader();
    const programme = new Programme({ supplier, loader: scripted.loader, silence, logger: silentLogger(), silenceBudgetMs: BUDGET_MS });
    programme.start();
    await waitFor(() => picks.length === 1);
    // The admin queues q while the pick of a is on its way back.
    queued = true;
    programme.replan();
    picks.shift()!();
    await waitFor(() => picks.length === 1);
    picks.shift()!();
    await waitFor(() => scripted.started.length === 1);
    programme.close();
    expect(forgotten).toEqual(['a']);
    expect(scripted.started).toEqual(['q']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('Programme counts for the metrics', () => {
  it('counts silence frames sent while a song was wanted, and none while the list is empty', async () => {
    const waiting = new Driver(recordingSupplier(['hang-a', 'hang-b', 'hang-c']).supplier, scriptedLoader().loader);
    waiting.programme.start();
    await waiting.run(10 * TICK_MS);
    waiting.programme.close();
    expect(waiting.programme.wantedSilenceFrames).toBe(10);

    const empty = new Driver({ nextSong: async () => null }, scriptedLoader().loader);
    empty.programme.start();
    await empty.run(10 * TICK_MS);
    empty.programme.close();
    expect(empty.programme.wantedSilenceFrames).toBe(0);
  });

  it('gives the frames of the song on air played so far, 0 when none is on air', async () => {
    const driver = new Driver(recordingSupplier(['a']).supplier, scriptedLoader().loader);
    expect(driver.programme.nowPlayingFrames).toBe(0);
    driver.programme.start();
    await driver.run(30 * TICK_MS);
    const silent = driver.programme.wantedSilenceFrames;
    const played = driver.played.length;
    expect(played).toBeGreaterThan(0);
    expect(played + silent).toBe(30);
    // One looping song: the count starts again at each play of it.
    expect(driver.programme.nowPlayingFrames).toBe(((played - 1) % 40) + 1);
    driver.programme.close();
  });
});
