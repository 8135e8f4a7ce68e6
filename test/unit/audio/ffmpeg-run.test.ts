import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FfmpegRun } from '../../../src/audio/ffmpeg.js';

describe('FfmpegRun', () => {
  it('reports a command fluent-ffmpeg refuses at once as a run that could not start, and can still be stopped', async () => {
    // fluent-ffmpeg throws from input() synchronously on an input that is neither a path nor a stream.
    const input = undefined as unknown as string;
    const run = new FfmpegRun({ command: { input, inputOptions: [], outputOptions: [] }, stdout: new PassThrough(), onStderrLine: () => {} });
    expect(run.pid).toBeUndefined();
    expect(() => run.stop()).not.toThrow();
    const exit = await run.exited;
    expect(exit.startError).toBeInstanceOf(Error);
    expect(exit.code).toBeNull();
  });
});
