import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeError, probeTags } from '../../src/audio/index.js';
import { makeCorruptFile, makeTone } from '../support/fixtures.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

let temp: { dir: string; remove: () => Promise<void> };
const fixture = (name: string): string => join(temp.dir, name);
const CJK = { title: '晴天', artist: '周杰伦', album: '叶惠美' };
/** Tags that span lines; the comment's second line looks like a tag line of ffprobe's default output. */
const MULTI_LINE = { title: '晴天\n(Live 2004)', artist: '周杰伦', album: '叶惠美\n限定版', comment: 'first line\nTAG:title=Spoofed' };

/** An m4a carrying the given tags (makeTone has no comment tag). */
async function makeTaggedM4a(path: string, tags: Record<string, string>): Promise<void> {
  const metadata = Object.entries(tags).flatMap(([name, value]) => ['-metadata', `${name}=${value}`]);
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=1', ...metadata, '-c:a', 'aac', '-f', 'mp4', path], {
    timeout: 60_000,
  });
}

beforeAll(async () => {
  requirePrograms('ffmpeg', 'ffprobe');
  temp = await makeTempDir('audio-probe');
  await Promise.all([
    makeTone({ path: fixture('aac-cjk-tags.m4a'), seconds: 3.01, frequency: 440, format: 'm4a', ...CJK }),
    makeTone({ path: fixture('mp3-cjk-tags.mp3'), seconds: 2, frequency: 440, format: 'mp3', ...CJK }),
    makeTone({ path: fixture('flac-latin-tags.flac'), seconds: 1.5, frequency: 440, format: 'flac', title: "Don't Stop Me Now", artist: 'Queen', album: 'Jazz' }),
    makeTone({ path: fixture('aac-no-tags.m4a'), seconds: 2.5, frequency: 440, format: 'm4a' }),
    makeTone({ path: fixture('aac-title-only.m4a'), seconds: 1, frequency: 440, format: 'm4a', title: '  Only a title  ' }),
    makeTaggedM4a(fixture('aac-multi-line-cjk-tags.m4a'), MULTI_LINE),
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

  it('reads tags that span lines whole, and a comment cannot pose as another tag', async () => {
    const tags = await probeTags(fixture('aac-multi-line-cjk-tags.m4a'));
    expect(tags).toMatchObject({ title: MULTI_LINE.title, artist: MULTI_LINE.artist, album: MULTI_LINE.album });
  });

  it('reads Vorbis comments of a FLAC file (upper-case names) and the duration', async () => {
    expect(await probeTags(fixture('flac-latin-tags.flac'))).toEqual({ title: "Don't Stop Me Now", artist: 'Queen', album: 'Jazz', durationMs: 1500 });
  });

  it('leaves out tags a file does not have, and reads an m4a\'s declared length (for the gapless trim) in the same ffprobe', async () => {
    expect(await probeTags(fixture('aac-no-tags.m4a'))).toEqual({ durationMs: 2500, declaredLength: { samples: 110250, sampleRate: 44100 } });
    expect(await probeTags(fixture('aac-title-only.m4a'))).toEqual({ title: 'Only a title', durationMs: 1000, declaredLength: { samples: 44100, sampleRate: 44100 } });
  });

  it('says what to install when ffprobe is missing', async () => {
    const error = await probeTags(fixture('aac-no-tags.m4a'), { ffprobePath: join(temp.dir, 'no-such-ffprobe') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProbeError);
    expect((error as ProbeError).message).toContain('ffprobe is not installed (apt-get install -y ffmpeg)');
  });

  it.each(['corrupt.m4a', 'notes.m4a', 'missing.m4a'])('rejects %s with a ProbeError', async (name) => {
    const error = await probeTags(fixture(name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProbeError);
    expect((error as ProbeError).code).toBe('ERR_PROBE');
    expect((error as ProbeError).message).toContain(fixture(name));
    expect((error as ProbeError).message).not.toContain('\n');
  });
});
