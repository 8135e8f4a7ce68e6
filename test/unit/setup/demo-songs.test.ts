import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FOLDER, DEMO_SONGS, demoSongArgs, demoSongExpression, makeDemoSongs, type RunProgram } from '../../../src/setup/index.js';
import { makeTempDir } from '../../support/tmp.js';

describe('demo songs', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('demo-songs');
  });
  afterEach(() => temp.remove());

  it('are a few short songs of 20-40 s with distinct titles, one of them CJK, by one artist', () => {
    expect(DEMO_SONGS.length).toBeGreaterThanOrEqual(3);
    for (const song of DEMO_SONGS) {
      expect(song.seconds).toBeGreaterThanOrEqual(20);
      expect(song.seconds).toBeLessThanOrEqual(40);
      expect(song.file).toMatch(/^[a-z0-9-]+\.m4a$/);
    }
    expect(new Set(DEMO_SONGS.map((song) => song.title)).size).toBe(DEMO_SONGS.length);
    expect(DEMO_SONGS.some((song) => /[\u4e00-\u9fff]/.test(song.title))).toBe(true);
  });

  it('are tagged m4a with the index first, synthesised by one ffmpeg command line each', () => {
    const args = demoSongArgs(DEMO_SONGS[1]!, '/music/demo/x.partial');
    expect(args).toEqual(expect.arrayContaining(['-metadata', `title=${DEMO_SONGS[1]!.title}`, `artist=${DEMO_SONGS[1]!.artist}`, '+faststart', 'mp4']));
    expect(args.at(-1)).toBe('/music/demo/x.partial');
    expect(args.join(' ')).toContain(`duration=${DEMO_SONGS[1]!.seconds}`);
    // Each note under a half-sine envelope: silent at note changes, so a pitch change never clicks.
    expect(demoSongExpression(DEMO_SONGS[0]!)).toContain('sin(PI*mod(t*2,1))');
  });

  it('are written under a hidden name and renamed when complete, into <music>/demo', async () => {
    const calls: string[][] = [];
    const run: RunProgram = async (program, args) => {
      calls.push([program, ...args]);
      expect(args.at(-1)).toMatch(/\/\.[^/]+\.partial$/);
      await writeFile(args.at(-1)!, 'audio');
    };
    const songs = await makeDemoSongs(temp.dir, run);
    expect(songs).toEqual(DEMO_SONGS.map((song) => `${DEMO_FOLDER}/${song.file}`));
    expect(calls.every((call) => call[0] === 'ffmpeg')).toBe(true);
    expect((await readdir(join(temp.dir, DEMO_FOLDER))).sort()).toEqual(DEMO_SONGS.map((song) => song.file).sort());
  });

  it('leave nothing that counts as music when ffmpeg fails half-way', async () => {
    const run: RunProgram = async (_program, args) => {
      await writeFile(args.at(-1)!, 'half a song');
      if (args.join(' ').includes('Slow Fifths')) throw new Error('ffmpeg failed: disk full');
    };
    await expect(makeDemoSongs(temp.dir, run)).rejects.toThrow('disk full');
    const left = await readdir(join(temp.dir, DEMO_FOLDER));
    expect(left.filter((name) => name.includes('slow-fifths'))).toEqual([]);
    expect(left.filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
