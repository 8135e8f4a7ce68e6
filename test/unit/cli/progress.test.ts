import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../../src/cli/progress.js';
import { DEMO_SONGS, makeDemoSongs, type RunProgram } from '../../../src/setup/index.js';
import { makeTempDir } from '../../support/tmp.js';

/** What a bar wrote, as a terminal (isTTY) or a pipe would receive it. */
function capture(isTTY: boolean) {
  const written: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString('utf8'));
        done();
      },
    }),
    { isTTY, columns: 100 },
  );
  return { stream, text: () => written.join('') };
}

/** A stand-in for ffmpeg that writes a few bytes where the song goes. */
const fakeFfmpeg: RunProgram = async (_program, args) => writeFile(args.at(-1)!, 'audio');

describe('the progress of making the demo songs', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('progress');
  });
  afterEach(async () => {
    vi.useRealTimers();
    await temp.remove();
  });

  it('writes nothing when the stream is not a terminal (a pipe, CI)', async () => {
    const pipe = capture(false);
    await makeDemoSongs(temp.dir, fakeFfmpeg, await progressBar('making demo songs', pipe.stream));
    expect(pipe.text()).toBe('');
  });

  it('reports each song as it is made on a terminal, and ends the bar with its line', async () => {
    const terminal = capture(true);
    const progress = await progressBar('making demo songs', terminal.stream);
    // The bar redraws on a timer: fake time lets every state be drawn, whatever the machine's load.
    vi.useFakeTimers();
    progress.update(0, DEMO_SONGS.length);
    for (const [index, song] of DEMO_SONGS.entries()) {
      vi.advanceTimersByTime(250);
      progress.update(index + 1, DEMO_SONGS.length, song.title);
    }
    vi.advanceTimersByTime(250);
    progress.stop();
    const text = terminal.text();
    expect(text).toContain(`making demo songs [`);
    expect(text).toContain(`] 0/${DEMO_SONGS.length}`);
    for (const [index, song] of DEMO_SONGS.entries()) expect(text).toContain(`] ${index + 1}/${DEMO_SONGS.length} ${song.title}`);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('hears of every song from makeDemoSongs, then is stopped, also when ffmpeg fails', async () => {
    const record = () => {
      const heard: { done: number; total: number; title?: string | undefined }[] = [];
      const state = { heard, stopped: false };
      return { state, progress: { update: (done: number, total: number, title?: string) => heard.push({ done, total, title }), stop: () => (state.stopped = true) } };
    };
    const made = record();
    await makeDemoSongs(temp.dir, fakeFfmpeg, made.progress);
    const total = DEMO_SONGS.length;
    expect(made.state.heard.map(({ done }) => done)).toEqual(Array.from({ length: total + 1 }, (_, done) => done));
    expect(made.state.heard.every((report) => report.total === total)).toBe(true);
    // The songs are made at once: each is reported when its ffmpeg ends, in whatever order that is.
    expect(made.state.heard.slice(1).map(({ title }) => title).sort()).toEqual(DEMO_SONGS.map((song) => song.title).sort());
    expect(made.state.stopped).toBe(true);

    const failing = record();
    const broken: RunProgram = async (program, args) => {
      if (args.join(' ').includes(DEMO_SONGS[0]!.title)) throw new Error('ffmpeg failed: disk full');
      await fakeFfmpeg(program, args, { timeoutMs: 1_000 });
    };
    await expect(makeDemoSongs(temp.dir, broken, failing.progress)).rejects.toThrow('disk full');
    expect(failing.state.stopped).toBe(true);
  });
});
