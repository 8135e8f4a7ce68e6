import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { framesToPcmCommand, pcmToFramesCommand, type FfmpegCommandLine } from './commands.js';
import { CrossfadeError } from './errors.js';
import { FfmpegRun } from './ffmpeg.js';
import type { StreamFormat } from './format.js';
import type { Mp3Frame } from './frame.js';
import { SAMPLES_PER_FRAME } from './mpeg1.js';
import { Mp3FrameSplitter } from './mp3-frame-splitter.js';

/**
 * Audio held in memory through ffmpeg and back: the station's frames to PCM and PCM to frames, for the few
 * seconds a crossfade re-encodes. Each run has a deadline and a bound on what it may print.
 */

/** A few seconds of audio take ffmpeg tens of milliseconds; past this the machine is too loaded to crossfade now. */
export const CODEC_DEADLINE_MS = 5_000;

export interface CodecOptions {
  readonly signal?: AbortSignal;
  readonly ffmpegPath?: string;
  readonly deadlineMs?: number;
}

/** Decodes frames in the station's format to interleaved 16-bit PCM: exactly 1152 samples per frame and channel. */
export async function decodeFrames(frames: readonly Mp3Frame[], format: StreamFormat, options: CodecOptions = {}): Promise<Int16Array> {
  const pcm = new Int16Array(frames.length * SAMPLES_PER_FRAME * format.channels);
  // ffmpeg writes straight into the samples: a join's few MB are neither gathered in chunks nor copied again.
  const target = new Uint8Array(pcm.buffer);
  const input = Buffer.concat(frames.map((frame) => frame.bytes));
  const received = await runInMemory(framesToPcmCommand(format), input, target, 'decode', options);
  if (received !== target.length) throw new CrossfadeError('decode', `ffmpeg gave ${received} bytes of PCM for ${frames.length} frames, expected ${target.length}`);
  return pcm;
}

/** Encodes interleaved 16-bit PCM as songs are encoded: every frame of the encode, the encoder's delay frame first. */
export async function encodePcm(pcm: Int16Array, format: StreamFormat, options: CodecOptions = {}): Promise<Mp3Frame[]> {
  const samples = pcm.length / format.channels;
  // CBR: at most one padded frame's bytes per frame, for the samples plus the encoder's delay and flush.
  const maxBytes = (Math.ceil(samples / SAMPLES_PER_FRAME) + 3) * Math.ceil((SAMPLES_PER_FRAME * format.bitrateKbps * 125) / format.sampleRate + 1);
  const target = new Uint8Array(maxBytes);
  const input = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const received = await runInMemory(pcmToFramesCommand(format), input, target, 'encode', options);
  return splitFrames(Buffer.from(target.buffer, 0, received));
}

/** Runs ffmpeg on `input` (its stdin) and writes its stdout into `target`; resolves with the bytes written. */
async function runInMemory(command: FfmpegCommandLine, input: Buffer, target: Uint8Array, stage: 'decode' | 'encode', options: CodecOptions): Promise<number> {
  let received = 0;
  let overflow = false;
  let lastLogLine = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (received + chunk.length > target.length) overflow = true;
      else target.set(chunk, received);
      received += chunk.length;
      callback();
    },
  });
  const run = new FfmpegRun({
    command,
    stdin: Readable.from([input]),
    stdout,
    onLogLine: (line) => (lastLogLine = line.slice(0, 300)),
    ...(options.ffmpegPath !== undefined ? { ffmpegPath: options.ffmpegPath } : {}),
  });
  const deadlineMs = options.deadlineMs ?? CODEC_DEADLINE_MS;
  let timedOut = false;
  // Our end of stdout goes too: a run stopped mid-output never ends it, and the wait for it below must end.
  const stop = (): void => {
    run.stop();
    stdout.destroy();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, deadlineMs);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const exit = await run.exited;
    if (timedOut) throw new CrossfadeError(stage, `ffmpeg took longer than ${deadlineMs} ms`);
    if (options.signal?.aborted) throw new CrossfadeError(stage, 'no longer wanted');
    if (exit.startError) throw new CrossfadeError(stage, exit.startError.message, { cause: exit.startError });
    if (exit.code !== 0) throw new CrossfadeError(stage, `ffmpeg exited with ${exit.code ?? exit.signal}${lastLogLine ? `: ${lastLogLine}` : ''}`);
    const outputEnded = await finished(stdout).then(() => true, () => false);
    if (!outputEnded) throw new CrossfadeError(stage, timedOut ? `ffmpeg took longer than ${deadlineMs} ms` : 'no longer wanted');
    if (overflow) throw new CrossfadeError(stage, `ffmpeg printed more than the ${target.length} bytes expected`);
    return received;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

async function splitFrames(bytes: Buffer): Promise<Mp3Frame[]> {
  const splitter = new Mp3FrameSplitter();
  const frames: Mp3Frame[] = [];
  splitter.on('data', (batch: Mp3Frame[]) => frames.push(...batch));
  const ended = new Promise<void>((resolve, reject) => {
    splitter.once('end', resolve);
    splitter.once('error', reject);
  });
  splitter.end(bytes);
  await ended;
  return frames;
}
