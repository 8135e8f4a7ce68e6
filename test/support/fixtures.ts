import { execFile } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Generating a fixture takes well under a second; past this ffmpeg is stuck. */
const FFMPEG_TIMEOUT_MS = 60_000;

export interface ToneOptions {
  readonly path: string;
  readonly seconds: number;
  readonly frequency: number;
  /** m4a: AAC in MP4; mp3: libmp3lame with ffmpeg's default ID3v2 tag and Info frame; flac: lossless, sample-exact. */
  readonly format: 'm4a' | 'mp3' | 'flac';
  /** Default 44100. */
  readonly sampleRate?: number;
  /** Default 2. */
  readonly channels?: 1 | 2;
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  /**
   * m4a only, default true: ffmpeg writes the index (moov) after the audio unless asked for
   * `-movflags +faststart`, so a player must seek to the end before it can play.
   */
  readonly moovAtEnd?: boolean;
}

const CODEC_OPTIONS: Record<ToneOptions['format'], string[]> = {
  m4a: ['-c:a', 'aac', '-b:a', '160k', '-f', 'mp4'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '192k', '-f', 'mp3'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
};

/**
 * A sine tone of exactly `seconds` × `sampleRate` samples (the lavfi source cuts at the sample), in the
 * given container, with optional tags. Returns the path.
 */
export async function makeTone(options: ToneOptions): Promise<string> {
  const sampleRate = options.sampleRate ?? 44100;
  const channels = options.channels ?? 2;
  const tags = (['title', 'artist', 'album'] as const).flatMap((name) => {
    const value = options[name];
    return value === undefined ? [] : ['-metadata', `${name}=${value}`];
  });
  const faststart = options.format === 'm4a' && options.moovAtEnd === false ? ['-movflags', '+faststart'] : [];
  await ffmpeg([
    '-f', 'lavfi',
    '-i', `sine=frequency=${options.frequency}:sample_rate=${sampleRate}:duration=${options.seconds}`,
    '-ac', String(channels),
    ...tags,
    ...CODEC_OPTIONS[options.format],
    ...faststart,
    options.path,
  ]);
  return options.path;
}

/**
 * Bytes no decoder accepts, under an .m4a name: an MP4 `ftyp` box (so ffmpeg picks the MP4 demuxer, as
 * it would for a real m4a) followed by garbage and no index.
 */
export async function makeCorruptFile(path: string): Promise<string> {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypM4A \0\0\x02\0isomiso2', 'latin1')]);
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i += 1) garbage[i] = (i * 7919 + 13) % 251;
  await writeFile(path, Buffer.concat([ftyp, garbage]));
  return path;
}

/** The first `fraction` (0..1) of `src`, as a download cut short would leave it. */
export async function makeTruncatedFile(src: string, dest: string, fraction: number): Promise<string> {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`fraction must be between 0 and 1, not ${fraction}`);
  const bytes = await readFile(src);
  const handle = await open(dest, 'w');
  try {
    await handle.write(bytes.subarray(0, Math.floor(bytes.length * fraction)));
  } finally {
    await handle.close();
  }
  return dest;
}

async function ffmpeg(args: string[]): Promise<void> {
  try {
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { timeout: FFMPEG_TIMEOUT_MS });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ffmpeg failed making a fixture: ${stderr.trim() || String(error)}`);
  }
}
