import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RelaycastError } from '../errors.js';
import { giveToFolderOwner, makeFolder } from './files.js';

/**
 * Demo songs for a station that has no music yet: a few short arpeggios that ffmpeg synthesises, tagged
 * with titles (one in CJK, to show titles reach listeners intact), written into `<music>/demo/`, where
 * the relay's local provider finds them like any other file.
 */
export interface DemoSong {
  /** File name inside the demo folder. */
  readonly file: string;
  readonly title: string;
  readonly artist: string;
  readonly seconds: number;
  /** The four notes of the arpeggio (Hz), one after the other, then again. */
  readonly notesHz: readonly [number, number, number, number];
  /** Notes per second. */
  readonly notesPerSecond: number;
}

export const DEMO_FOLDER = 'demo';
const DEMO_ARTIST = 'relaycast demo';

export const DEMO_SONGS: readonly DemoSong[] = [
  { file: '01-morning-arpeggio.m4a', title: 'Morning Arpeggio', artist: DEMO_ARTIST, seconds: 24, notesHz: [261.63, 329.63, 392.0, 523.25], notesPerSecond: 2 },
  { file: '02-ni-hao-dian-tai.m4a', title: '你好，电台', artist: DEMO_ARTIST, seconds: 30, notesHz: [220.0, 261.63, 329.63, 440.0], notesPerSecond: 2 },
  { file: '03-slow-fifths.m4a', title: 'Slow Fifths', artist: DEMO_ARTIST, seconds: 36, notesHz: [196.0, 293.66, 392.0, 587.33], notesPerSecond: 1.5 },
  { file: '04-evening-chord.m4a', title: 'Evening Chord', artist: DEMO_ARTIST, seconds: 28, notesHz: [174.61, 220.0, 261.63, 349.23], notesPerSecond: 2.5 },
];

/** Synthesising one song takes about 1 s (measured: 1.1 s for 30 s of audio); past this ffmpeg is stuck. */
export const DEMO_SONG_TIMEOUT_MS = 60_000;

/**
 * ffmpeg's expression for one song: each note is a sine under a half-sine envelope (silent at both ends of
 * the note, so changing pitch never clicks), over a quiet drone an octave below the first note.
 */
export function demoSongExpression(song: DemoSong): string {
  const note = `mod(floor(t*${song.notesPerSecond}),4)`;
  const frequency = song.notesHz.map((hz, index) => `${hz}*eq(${note},${index})`).join('+');
  const envelope = `sin(PI*mod(t*${song.notesPerSecond},1))`;
  return `0.18*sin(2*PI*t*(${frequency}))*${envelope}+0.08*sin(2*PI*${song.notesHz[0] / 2}*t)`;
}

/**
 * The ffmpeg command line for one demo song: AAC in MP4 (m4a), the index first (+faststart: the worker
 * streams it over HTTP from the relay), title and artist tags in UTF-8.
 */
export function demoSongArgs(song: DemoSong, outputPath: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `aevalsrc=exprs='${demoSongExpression(song)}':sample_rate=44100:duration=${song.seconds}`,
    '-ac', '2',
    '-metadata', `title=${song.title}`,
    '-metadata', `artist=${song.artist}`,
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart',
    '-f', 'mp4',
    outputPath,
  ];
}

/** Runs a program to completion; rejects with its stderr when it fails. Passed in, so tests control it. */
export type RunProgram = (program: string, args: readonly string[], options: { timeoutMs: number }) => Promise<void>;

export const runProgram: RunProgram = (program, args, options) =>
  new Promise((resolve, reject) => {
    execFile(program, [...args], { timeout: options.timeoutMs, maxBuffer: 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new DemoSongError(`${program} failed: ${String(stderr).trim().split('\n').slice(-3).join(' ') || error.message}`, error));
      else resolve();
    });
  });

export class DemoSongError extends RelaycastError {
  constructor(message: string, cause?: unknown) {
    super('ERR_DEMO_SONG', message, { cause });
  }
}

/** Told how many demo songs are made so far, and the title of the last one; stopped when making them ends. */
export interface DemoSongsProgress {
  update(done: number, total: number, title?: string): void;
  stop(): void;
}

/**
 * Writes every demo song into `<musicDir>/demo/` and returns their library paths (`demo/01-….m4a`).
 * Each is made under a hidden name and renamed when complete, so the relay never sees half a song and a
 * setup that died half-way leaves nothing that counts as music. Making them takes seconds: `progress`
 * hears of each song as it is done.
 */
export async function makeDemoSongs(musicDir: string, run: RunProgram = runProgram, progress?: DemoSongsProgress): Promise<string[]> {
  const folder = join(musicDir, DEMO_FOLDER);
  await makeFolder(folder);
  let done = 0;
  progress?.update(done, DEMO_SONGS.length);
  // allSettled: a failure still waits for the other ffmpegs, so nothing is written after this returns.
  const results = await Promise.allSettled(
    DEMO_SONGS.map(async (song) => {
      const finalPath = join(folder, song.file);
      const partial = join(folder, `.${song.file}.partial`);
      try {
        await run('ffmpeg', demoSongArgs(song, partial), { timeoutMs: DEMO_SONG_TIMEOUT_MS });
        await giveToFolderOwner(partial);
        await rename(partial, finalPath);
      } finally {
        await rm(partial, { force: true });
      }
      done += 1;
      progress?.update(done, DEMO_SONGS.length, song.title);
      return `${DEMO_FOLDER}/${song.file}`;
    }),
  );
  // The bar ends before anything else is printed, success or not.
  progress?.stop();
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<string>).value);
}
