import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, transcode, type Mp3Frame } from '../../src/audio/index.js';
import { crossfadeFrames } from '../../src/audio/crossfade-mix.js';
import { createLogger, silentLogger } from '../../src/log/index.js';
import { CROSSFADE_MARGIN_SECONDS, Crossfader } from '../../src/station/crossfader.js';
import { Programme, type FrameLoader, type SongSupplier } from '../../src/station/programme.js';
import type { Song } from '../../src/station/song.js';
import { inBatches, readFrames } from '../support/frames.js';
import { captureLog } from '../support/icecast.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const run = promisify(execFile);
const CROSSFADE_SECONDS = 2;
const silenceFrame = { bytes: Buffer.from('silence'), samples: 1152 };
let temp: { dir: string; remove: () => Promise<void> };
const songFrames = new Map<string, Mp3Frame[]>();

async function toneFrames(name: string, frequency: number, seconds: number): Promise<Mp3Frame[]> {
  const path = join(temp.dir, `${name}.flac`);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=${seconds}`, '-ac', '2', '-c:a', 'flac', path], { timeout: 60_000 });
  return readFrames(transcode({ input: path, format: DEFAULT_STREAM_FORMAT, logger: silentLogger() }));
}

const loader: FrameLoader = {
  async load(song) {
    return { song, frames: Readable.from(inBatches(songFrames.get(song.ref)!)) };
  },
};

beforeAll(async () => {
  requirePrograms('ffmpeg');
  temp = await makeTempDir('programme-crossfade');
  for (const [ref, frequency] of [['a', 440], ['b', 550], ['c', 660]] as const) songFrames.set(ref, await toneFrames(ref, frequency, 16));
});

afterAll(async () => {
  await temp?.remove();
});

describe('Programme with a Crossfader, on real frames', () => {
  it('keeps a song whose start is already crossfaded into the song on air when a replan comes, and plays the join', async () => {
    // The playlist as the supplier has it now: an edit removes b, which is already joined to a.
    let list = ['a', 'b', 'c'];
    const supplier: SongSupplier = { nextSong: async (): Promise<Song | null> => ({ ref: list.shift() ?? 'c', title: 't', artist: 'test' }) };
    const log = captureLog();
    const logger = createLogger({ level: 'debug', destination: log });
    const crossfader = new Crossfader({ seconds: () => CROSSFADE_SECONDS, format: DEFAULT_STREAM_FORMAT, logger });
    const programme = new Programme({ supplier, loader, silence: { next: () => silenceFrame }, logger, crossfader });
    const started: string[] = [];
    programme.on('track-start', (song) => started.push(song.ref));
    programme.start();

    const a = songFrames.get('a')!;
    const needs = crossfadeFrames(CROSSFADE_SECONDS, DEFAULT_STREAM_FORMAT.sampleRate);
    const joinStartsAt = a.length - needs.tail - Math.ceil((CROSSFADE_MARGIN_SECONDS * 44100) / 1152);
    const played: Mp3Frame[] = [];
    const play = async (count: number) => {
      for (let turn = 0; played.length < count && turn < count * 50; turn += 1) {
        const frame = programme.nextFrame();
        if (frame !== silenceFrame) played.push(frame);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await play(joinStartsAt + 2);
    // The join is made off the pacer's path: wait for it (bounded) as a real pacer would keep playing.
    for (let waited = 0; !log.lines.some((line) => line.msg === 'crossfade ready') && waited < 200; waited += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.lines.filter((line) => /crossfade/.test(line.msg)).map((line) => line.msg)).toEqual(['crossfade ready']);

    list = ['c'];
    programme.replan();
    await play(a.length + 100);
    programme.close();
    expect(started).toEqual(['a', 'b']);
    // a's frames stop early and frames made for the join follow; b resumes with its own frames later on.
    const aPlayed = played.filter((frame) => a.includes(frame)).length;
    const b = songFrames.get('b')!;
    const firstOwnB = played.findIndex((frame) => b.includes(frame));
    expect(aPlayed).toBeLessThan(a.length - (CROSSFADE_SECONDS * 44100) / 1152 / 2);
    expect(b.indexOf(played[firstOwnB]!)).toBeGreaterThan(0);
    expect(played.slice(aPlayed, firstOwnB).every((frame) => !a.includes(frame) && !b.includes(frame))).toBe(true);
    expect(firstOwnB - aPlayed).toBeGreaterThanOrEqual(Math.floor((CROSSFADE_SECONDS * 44100) / 1152));
  }, 60_000);
});
