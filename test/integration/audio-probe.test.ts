import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeError, probeTags } from '../../src/audio/index.js';
import { readMp4SongInfo } from '../../src/audio/mp4-song-info.js';
import { ffprobeTags } from '../../src/audio/probe.js';
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

/** An MP4 as ffmpeg's muxer `format` writes it from `input` (lavfi), encoded by `codecArgs`. */
async function makeMp4(path: string, input: string[], codecArgs: string[], format = 'mp4'): Promise<void> {
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', ...input, ...codecArgs, '-f', format, path], { timeout: 60_000 });
}

const sine = (seconds: number, rate = 44100): string[] => ['-f', 'lavfi', '-i', `sine=f=440:d=${seconds}:sample_rate=${rate}`];

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
    makeMp4(fixture('aac-48k-odd-length.m4a'), sine(2.7777, 48000), ['-c:a', 'aac', '-metadata', 'album_artist=只有专辑艺人']),
    makeMp4(fixture('aac-32k-short.m4a'), sine(0.3, 32000), ['-c:a', 'aac']),
    makeMp4(fixture('aac-22k.m4a'), sine(1, 22050), ['-c:a', 'aac']),
    makeMp4(fixture('aac-faststart.m4a'), sine(2.5), ['-c:a', 'aac', '-movflags', '+faststart', '-metadata', 'title=前置']),
    makeMp4(fixture('aac-ipod.m4a'), sine(2.5), ['-c:a', 'aac', '-metadata', 'title=iPod'], 'ipod'),
    makeMp4(fixture('alac.m4a'), sine(1.5), ['-c:a', 'alac', '-metadata', 'artist=ALAC']),
    makeMp4(fixture('with-video.mp4'), [...sine(2.5), '-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=2.5'], ['-c:a', 'aac', '-c:v', 'libx264', '-shortest']),
    makeMp4(fixture('video-only.mp4'), ['-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=1'], ['-c:v', 'libx264']),
    makeMp4(fixture('quicktime.mov'), sine(1.5), ['-c:a', 'aac', '-metadata', 'title=QuickTime 标题'], 'mov'),
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
    const error = await probeTags(fixture('flac-latin-tags.flac'), { ffprobePath: join(temp.dir, 'no-such-ffprobe') }).catch((caught: unknown) => caught);
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

describe('MP4 read in this process (no ffprobe for an m4a)', () => {
  const EXACT = ['aac-cjk-tags.m4a', 'aac-multi-line-cjk-tags.m4a', 'aac-no-tags.m4a', 'aac-title-only.m4a', 'aac-48k-odd-length.m4a', 'aac-32k-short.m4a', 'aac-faststart.m4a', 'aac-ipod.m4a', 'alac.m4a', 'with-video.mp4'];

  it.each(EXACT)('reads %s as ffprobe does: tags, duration and the declared length', async (name) => {
    const inProcess = await readMp4SongInfo(fixture(name));
    expect(inProcess).toBeDefined();
    expect(inProcess).toEqual(await ffprobeTags(fixture(name)));
  });

  it('reads an m4a without starting ffprobe', async () => {
    const tags = await probeTags(fixture('aac-cjk-tags.m4a'), { ffprobePath: join(temp.dir, 'no-such-ffprobe') });
    expect(tags).toEqual({ ...CJK, durationMs: 3010, declaredLength: { samples: 132741, sampleRate: 44100 } });
  });

  it('reads a QuickTime file\'s tags kept in udta by ffprobe', async () => {
    expect(await readMp4SongInfo(fixture('quicktime.mov'))).toBeUndefined();
    expect(await probeTags(fixture('quicktime.mov'))).toMatchObject({ title: 'QuickTime 标题' });
  });

  it.each(['aac-22k.m4a', 'video-only.mp4', 'mp3-cjk-tags.mp3', 'flac-latin-tags.flac', 'corrupt.m4a', 'notes.m4a', 'missing.m4a'])(
    'leaves %s to ffprobe (AAC whose decoded rate may differ, no audio, not an MP4, damaged)',
    async (name) => {
      expect(await readMp4SongInfo(fixture(name))).toBeUndefined();
    },
  );

  it('leaves a download cut before its moov to ffprobe', async () => {
    const whole = await readFile(fixture('aac-no-tags.m4a'));
    await writeFile(fixture('cut.m4a'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(await readMp4SongInfo(fixture('cut.m4a'))).toBeUndefined();
    await expect(probeTags(fixture('cut.m4a'))).rejects.toBeInstanceOf(ProbeError);
  });
});
