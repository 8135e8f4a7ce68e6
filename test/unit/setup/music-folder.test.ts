import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasAudioFiles, listAudioFiles } from '../../../src/setup/index.js';
import { makeTempDir } from '../../support/tmp.js';

describe('listAudioFiles: the files the relay serves as local: refs', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('music-folder');
  });
  afterEach(() => temp.remove());

  async function touch(...paths: string[]) {
    for (const path of paths) {
      await mkdir(join(temp.dir, path, '..'), { recursive: true });
      await writeFile(join(temp.dir, path), 'x');
    }
  }

  it('lists audio files of every folder, sorted, as /-separated paths; hidden, partial and non-audio files are left out', async () => {
    await touch('b.mp3', 'a.m4a', 'cover.jpg', 'notes.txt', 'jazz/slow/one.flac', 'jazz/two.ogg', '.hidden.mp3', '.cache/x.mp3', 'demo/.01-x.m4a.partial');
    expect(await listAudioFiles(temp.dir, 100)).toEqual(['a.m4a', 'b.mp3', 'jazz/slow/one.flac', 'jazz/two.ogg']);
  });

  it('stops at the limit, follows symlinked files but not symlinked folders (no loops)', async () => {
    await touch('a.mp3', 'b.mp3', 'c.mp3');
    await symlink(join(temp.dir, 'a.mp3'), join(temp.dir, 'link.mp3'));
    await symlink(temp.dir, join(temp.dir, 'loop'));
    expect(await listAudioFiles(temp.dir, 2)).toEqual(['a.mp3', 'b.mp3']);
    expect(await listAudioFiles(temp.dir, 100)).toEqual(['a.mp3', 'b.mp3', 'c.mp3', 'link.mp3']);
  });

  it('finds nothing in a missing or empty folder', async () => {
    expect(await listAudioFiles(join(temp.dir, 'missing'), 100)).toEqual([]);
    expect(await hasAudioFiles(temp.dir)).toBe(false);
    await touch('sub/song.wav');
    expect(await hasAudioFiles(temp.dir)).toBe(true);
  });
});
