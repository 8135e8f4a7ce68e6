import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FfmpegRun } from '../../../src/audio/ffmpeg.js';

describe('FfmpegRun', () => {
  it('reports a command spawn refuses at once as a run that could not start, and can still be stopped after', async () => {
    // spawn() throws synchronously on an argument with a NUL byte.
    const input = 'song\0.m4a';
    const run = new FfmpegRun({ command: { input, inputOptions: [], outputOptions: [] }, stdout: new PassThrough(), onLogLine: () => {} });
    const exit = await run.exited;
    expect(exit.startError?.message).toMatch(/null bytes/);
    expect(exit.code).toBeNull();
    expect(run.pid).toBeUndefined();
    expect(() => run.stop()).not.toThrow();
  });
});
