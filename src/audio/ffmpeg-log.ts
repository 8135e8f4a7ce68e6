/**
 * Reading what ffmpeg logs (on stderr) with `-loglevel level+...`: each line looks like
 * `[aac @ 0x5571b6a76ec0] [error] Input buffer exhausted` or `[info] Stream mapping:`.
 */
export type FfmpegLogLevel = 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace';

export interface FfmpegLogLine {
  readonly level: FfmpegLogLevel | undefined;
  /** The message, with the level removed and the context's memory address dropped (`aac: Input buffer...`). */
  readonly text: string;
}

const LEVELS = new Set<string>(['panic', 'fatal', 'error', 'warning', 'info', 'verbose', 'debug', 'trace']);
const PROBLEM_LEVELS = new Set<FfmpegLogLevel | undefined>(['panic', 'fatal', 'error', 'warning']);

export function parseLogLine(line: string): FfmpegLogLine {
  let rest = line.trimEnd();
  let context: string | undefined;
  const contextMatch = /^\[([^\]]+?) @ 0x[0-9a-f]+\] /.exec(rest);
  if (contextMatch) {
    context = contextMatch[1];
    rest = rest.slice(contextMatch[0].length);
  }
  let level: FfmpegLogLevel | undefined;
  const levelMatch = /^\[([a-z]+)\] /.exec(rest);
  if (levelMatch && LEVELS.has(levelMatch[1]!)) {
    level = levelMatch[1] as FfmpegLogLevel;
    rest = rest.slice(levelMatch[0].length);
  }
  return { level, text: context ? `${context}: ${rest}` : rest };
}

/** "Output stream #0:0 (audio): 175 frames encoded (201537 samples); ..." → 201537. */
export function encodedSamples(text: string): number | undefined {
  const match = /Output stream #\d+:\d+ \(audio\): \d+ frames encoded \((\d+) samples\)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** "Input stream #0:0 (audio): 131 packets read (72861 bytes); 130 frames decoded (133120 samples);" → 133120. */
export function decodedSamples(text: string): number | undefined {
  const match = /Input stream #\d+:\d+ \(audio\): .*?\d+ frames decoded \((\d+) samples\)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/a.m4a':" → "mov,mp4,m4a,3gp,3g2,mj2" (the demuxer's names). */
export function inputFormatName(text: string): string | undefined {
  return /^Input #0, (.+?), from '/.exec(text)?.[1];
}

/**
 * What an operator needs from a long ffmpeg log: the last few warnings and errors, and the line that
 * best says why ffmpeg failed. Bounded: at most `capacity` lines are kept.
 */
export class ProblemLines {
  private readonly lines: string[] = [];
  private lastError: string | undefined;

  constructor(private readonly capacity = 8) {}

  add(line: FfmpegLogLine): void {
    if (!PROBLEM_LEVELS.has(line.level) || line.text === '') return;
    this.lines.push(line.text);
    if (this.lines.length > this.capacity) this.lines.shift();
    if (line.level !== 'warning') this.lastError = line.text;
  }

  get tail(): readonly string[] {
    return [...this.lines];
  }

  /** The last error (or, failing that, warning) line; what ffmpeg itself would say last. */
  get reason(): string | undefined {
    return this.lastError ?? this.lines.at(-1);
  }
}
