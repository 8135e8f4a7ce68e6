import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** Decoding a test stream takes seconds at most; past this ffmpeg is stuck. */
const DECODE_TIMEOUT_MS = 60_000;

export interface Silence {
  /** Seconds from the start of the decoded audio. */
  readonly start: number;
  readonly end: number;
  readonly duration: number;
}

export interface DecodeResult {
  /** ffmpeg's error lines while decoding (what `-v error` prints); empty for a clean stream. */
  readonly errors: string[];
  /** Decoded length: samples per channel / sample rate. */
  readonly durationSec: number;
  readonly sampleRate: number;
  /** Stretches quieter than `noiseDb` for at least `minSilenceSec`, as ffmpeg's silencedetect reports them. */
  readonly silences: Silence[];
}

export interface DecodeOptions {
  /** Default -50 dB. */
  readonly noiseDb?: number;
  /** Default 0.002 s. */
  readonly minSilenceSec?: number;
}

/** Decodes MP3 (bytes or a file) the way a listener's player would, with ffmpeg, and finds the silences. */
export async function decodeMp3(input: Uint8Array | string, options: DecodeOptions = {}): Promise<DecodeResult> {
  const noise = options.noiseDb ?? -50;
  const minSilence = options.minSilenceSec ?? 0.002;
  const { stderr } = await runFfmpeg(
    [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+verbose',
      '-f', 'mp3', '-i', typeof input === 'string' ? `file:${resolve(input)}` : 'pipe:0',
      '-af', `silencedetect=noise=${noise}dB:d=${minSilence}`,
      '-f', 'null', '-',
    ],
    typeof input === 'string' ? undefined : input,
  );

  const errors: string[] = [];
  const silences: Silence[] = [];
  let openStart: number | undefined;
  let samples = 0;
  let sampleRate = 0;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\] /, '');
    if (/^\[(error|fatal|panic)\] /.test(line)) errors.push(line.replace(/^\[[a-z]+\] /, ''));
    const rate = /Stream #0:0.*: Audio: mp3.*?, (\d+) Hz/.exec(line);
    if (rate && sampleRate === 0) sampleRate = Number(rate[1]);
    const decoded = /Input stream #0:0 \(audio\): .*?\((\d+) samples\)/.exec(line);
    if (decoded) samples = Number(decoded[1]);
    const start = /silence_start: (-?[\d.e-]+)/.exec(line);
    if (start) openStart = Number(start[1]);
    const end = /silence_end: (-?[\d.e-]+) \| silence_duration: ([\d.e-]+)/.exec(line);
    if (end) {
      const duration = Number(end[2]);
      silences.push({ start: openStart ?? Number(end[1]) - duration, end: Number(end[1]), duration });
      openStart = undefined;
    }
  }
  const durationSec = sampleRate > 0 ? samples / sampleRate : 0;
  if (openStart !== undefined) silences.push({ start: openStart, end: durationSec, duration: durationSec - openStart });
  return { errors, durationSec, sampleRate, silences };
}

/** Decodes MP3 (bytes or a file) to mono 32-bit float PCM at `sampleRate` (default 44100). */
export async function decodePcm(input: Uint8Array | string, sampleRate = 44100): Promise<Float32Array> {
  const { stdout } = await runFfmpeg(
    [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-i', typeof input === 'string' ? `file:${resolve(input)}` : 'pipe:0',
      '-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', 'pipe:1',
    ],
    typeof input === 'string' ? undefined : input,
  );
  const aligned = Buffer.from(stdout);
  return new Float32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.length / 4));
}

/**
 * Which of `candidates` (Hz) is the loudest tone in `pcm`, by the Goertzel algorithm (the power of one
 * DFT bin per candidate); undefined when the window is silent. Cheap enough to run per 100 ms window
 * to tell which test song is playing.
 */
export function dominantTone(pcm: Float32Array, sampleRate: number, candidates: readonly number[]): number | undefined {
  let best: { frequency: number; power: number } | undefined;
  for (const frequency of candidates) {
    const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
    let previous = 0;
    let beforePrevious = 0;
    for (const sample of pcm) {
      const current = sample + coefficient * previous - beforePrevious;
      beforePrevious = previous;
      previous = current;
    }
    const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
    if (!best || power > best.power) best = { frequency, power };
  }
  // A full-scale tone over n samples has power ≈ (n/2)²; call anything 40 dB below that silence.
  const floor = (pcm.length / 2) ** 2 * 1e-4;
  return best && best.power > floor ? best.frequency : undefined;
}

function runFfmpeg(args: string[], stdin: Uint8Array | undefined): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), DECODE_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise({ stdout: Buffer.concat(out), stderr });
      else reject(new Error(`ffmpeg decode failed (${signal ?? `exit code ${String(code)}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
    // ffmpeg may stop reading early (a broken stream): that is its error to report, not EPIPE's.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin === undefined ? undefined : Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength));
  });
}
