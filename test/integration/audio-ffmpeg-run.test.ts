import { readlinkSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FfmpegRun, type FfmpegExit } from '../../src/audio/ffmpeg.js';
import { requirePrograms } from '../support/prereq.js';

/** ffmpeg reading raw PCM from stdin and printing MP3: it waits on stdin until the test ends it. */
const PCM_TO_MP3 = {
  input: 'pipe:0',
  inputOptions: ['-hide_banner', '-nostdin', '-loglevel', 'level+verbose', '-f', 's16le', '-ar', '44100', '-ac', '2'],
  outputOptions: ['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3'],
};

function startRun(): { run: FfmpegRun; stdin: PassThrough; lines: string[]; output: () => number; logLinesAtExit: Promise<number> } {
  const stdin = new PassThrough();
  const lines: string[] = [];
  let bytes = 0;
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  const run = new FfmpegRun({ command: PCM_TO_MP3, stdin, stdout, onLogLine: (line) => lines.push(line) });
  // How many lines were in when the exit was reported: all of them are, since the log is read first.
  const logLinesAtExit = run.exited.then(() => lines.length);
  return { run, stdin, lines, output: () => bytes, logLinesAtExit };
}

async function waitForPid(run: FfmpegRun): Promise<number> {
  for (let attempt = 0; attempt < 200 && run.pid === undefined; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (run.pid === undefined) throw new Error('ffmpeg did not start within 2 s');
  return run.pid;
}

describe('FfmpegRun with a real ffmpeg', () => {
  it("gives ffmpeg a log file of its own, not a pipe, and hands over the log's lines by the time it reports the exit", async () => {
    requirePrograms('ffmpeg');
    const { run, stdin, lines, output, logLinesAtExit } = startRun();
    const pid = await waitForPid(run);
    // The worker is not woken per log line: ffmpeg's stderr is an unlinked file, its stdout a pipe.
    expect(readlinkSync(`/proc/${pid}/fd/2`)).toMatch(/relaycast-ffmpeg-\d+-[0-9a-f]+\.log \(deleted\)$/);
    expect(readlinkSync(`/proc/${pid}/fd/1`)).toMatch(/^(pipe|socket):/); // Node's stdio pipes are socket pairs
    expect(lines).toEqual([]);
    stdin.end(Buffer.alloc(44_100 * 4));
    const exit: FfmpegExit = await run.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await logLinesAtExit).toBe(lines.length);
    expect(lines.some((line) => /Output stream #0:0 \(audio\): \d+ frames encoded \(\d+ samples\)/.test(line))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output()).toBeGreaterThan(10_000);
  });

  it('reads the log through a pipe, line by line, when no log file can be made', async () => {
    requirePrograms('ffmpeg');
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = '/nonexistent/relaycast-tmp';
    try {
      const { run, stdin, lines } = startRun();
      const pid = await waitForPid(run);
      expect(readlinkSync(`/proc/${pid}/fd/2`)).toMatch(/^(pipe|socket):/);
      stdin.end(Buffer.alloc(44_100 * 4));
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(lines.some((line) => /frames encoded/.test(line))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
  });

  it('reads the log of an ffmpeg stopped mid-run', async () => {
    requirePrograms('ffmpeg');
    const { run, stdin, lines, output } = startRun();
    await waitForPid(run);
    stdin.write(Buffer.alloc(10 * 44_100 * 4));
    // Once MP3 comes out, ffmpeg has opened its input and logged it; stdin stays open, so it is still running.
    for (let attempt = 0; attempt < 500 && output() === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(output()).toBeGreaterThan(0);
    run.stop();
    const exit = await run.exited;
    // Its stdout is cut first: ffmpeg ends on the broken pipe (1), on SIGTERM (255), or by the signal.
    expect(exit.code).not.toBe(0);
    expect(lines.some((line) => line.includes('Input #0, s16le'))).toBe(true);
  });
});
