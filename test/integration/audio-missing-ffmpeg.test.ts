import { describe, expect, it } from 'vitest';
import { transcode, TranscodeError } from '../../src/audio/index.js';
import { silentLogger } from '../../src/log/index.js';
import { requirePrograms } from '../support/prereq.js';

describe('transcode without a usable ffmpeg', () => {
  it('fails at once with a TranscodeError that says how to fix it', async () => {
    requirePrograms('ffmpeg', 'ffprobe');
    const stream = transcode({
      input: 'song.m4a',
      format: { bitrateKbps: 128, sampleRate: 44100, channels: 2 },
      logger: silentLogger(),
      ffmpegPath: '/nonexistent/relaycast/ffmpeg',
    });
    const started = Date.now();
    const [error] = await new Promise<unknown[]>((resolve) => stream.once('error', (...args) => resolve(args)));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as TranscodeError).exitCode).toBeNull();
    expect((error as TranscodeError).message).toMatch(/ffmpeg did not start .*ENOENT.*install ffmpeg/);
    expect(stream.pid).toBeUndefined();
  });
});
