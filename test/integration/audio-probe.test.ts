import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeError, probeTags } from '../../src/audio/index.js';
import { makeCorruptFile, makeTone } from '../support/fixtures.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

let temp: { dir: string; remove: () => Promise<void> };
const fixture = (name: string): string => join(temp.dir, name);
const CJK = { title: '晴天', artist: '周杰伦', album: '叶惠美' };

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-probe');
  await Promise.all([
    makeTone({ path: fixture('aac-cjk-tags.m4a'), seconds: 3.01, frequency: 440, format: 'm4a', ...CJK }),
    makeTone({ path: fixture('mp3-cjk-tags.mp3'), seconds: 2, frequency: 440, format: 'mp3', ...CJK }),
    makeTone({ path: fixture('flac-latin-tags.flac'), seconds: 1.5, frequency: 440, format: 'flac', title: "Don't Stop Me Now", artist: 'Queen', album: 'Jazz' }),
    makeTone({ path: fixture('aac-no-tags.m4a'), seconds: 2.5, frequency: 440, format: 'm4a' }),
    makeTone({ path: fixture('aac-title-only.m4a'), seconds: 1, frequency: 440, format: 'm4a', title: '  Only a title  ' }),
    makeCorruptFile(fixture('corrupt.m4a')),
    writeFile(fixture('notes.m4a'), 'these are not the droids you are looking for\n'.repeat(10)),
  ]);
});

afterAll(async () => {
  await temp?.remove();
});

describe('probeTags', () => {
  it.each(['aac-cjk-tags.m4a', 'mp3-cjk-tags.mp3'])('reads CJK title, artist and album from %s', async (name) => {
    const tags = await probeTags(fixture(name));
    expect(tags).toMatchObject(CJK);
    expect(tags.durationMs).toBeGreaterThan(1900);
  });

  it('reads Vorbis comments of a FLAC file (upper-case names) and the duration', async () => {
    expect(await probeTags(fixture('flac-latin-tags.flac'))).toEqual({ title: "Don't Stop Me Now", artist: 'Queen', album: 'Jazz', durationMs: 1500 });
  });

  it('leaves out tags a file does not have', async () => {
    expect(await probeTags(fixture('aac-no-tags.m4a'))).toEqual({ durationMs: 2500 });
    expect(await probeTags(fixture('aac-title-only.m4a'))).toEqual({ title: 'Only a title', durationMs: 1000 });
  });

  it.each(['corrupt.m4a', 'notes.m4a', 'missing.m4a'])('rejects %s with a ProbeError', async (name) => {
    const error = await probeTags(fixture(name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProbeError);
    expect((error as ProbeError).code).toBe('ERR_PROBE');
    expect((error as ProbeError).message).toContain(fixture(name));
    expect((error as ProbeError).message).not.toContain('\n');
  });
});
