import { Readable } from 'node:stream';
import type { Logger } from '../log/index.js';
import { describeError } from '../errors.js';
import { failed, ok, type Result } from '../result.js';
import { withDeadline } from '../time/index.js';
import { describeUnknownOptions, rejectUnknownOptions } from '../unknown-options.js';
import { songInput, transcodeCommand, type SongInput } from './commands.js';
import { AudioOptionError, TranscodeError, TranscodeStalledError } from './errors.js';
import { FfmpegRun, type FfmpegExit } from './ffmpeg.js';
import { FrameWatch, resolveTranscodeDeadlines, type FrameDeadline, type TranscodeDeadlines } from './frame-watch.js';
import { decodedSamples, encodedSamples, inputFormatName, parseLogLine, ProblemLines } from './ffmpeg-log.js';
import { frameDurationUs, framesInSeconds, streamFormatProblem, type StreamFormat } from './format.js';
import { MAX_BATCH_FRAMES, type Mp3Frame, type Mp3FrameBatch } from './frame.js';
import { GaplessTrimmer } from './gapless.js';
import { LoudnessSummaryReader, type SongLoudness } from './loudness.js';
import { Mp3FrameSplitter } from './mp3-frame-splitter.js';
import { probeTags } from './probe.js';
import type { SongTags } from './song-tags.js';
import { isMp4Family, sourcePaddingSamples, type DeclaredLength } from './source-padding.js';

/**
 * Audio the transcoder keeps ready for a consumer that is not reading. Past it, ffmpeg's stdout is paused
 * and ffmpeg blocks. It may still run ahead by the pipe buffers behind this one: the frames of one pipe
 * read plus one batch in the splitter, 4 KiB before it, 64 KiB of OS pipe and ffmpeg's 32 KiB output
 * buffer, about 10 s at 128 kb/s in all.
 */
export const TRANSCODE_BUFFER_SECONDS = 2;

/** Longest wait, at the end of a song, for the container probe that finds AAC padding (~0.15 s; none when memoized). */
const SOURCE_PROBE_WAIT_MS = 3000;

export interface TranscodeOptions {
  /** A local file path or an http(s) URL. */
  readonly input: string;
  readonly format: StreamFormat;
  readonly logger: Logger;
  /** ffmpeg executable. Default: FFMPEG_PATH or `ffmpeg` on PATH. */
  readonly ffmpegPath?: string;
  /** ffprobe executable, used to read an m4a's declared length when `readTags` is not given. */
  readonly ffprobePath?: string;
  /**
   * Reads a local file's tags, which carry an m4a's declared length (SongTags.declaredLength): pass the
   * process's memoized reader (memoizeTags), and a song whose tags were read to list it costs no second
   * ffprobe. Default: probeTags.
   */
  readonly readTags?: (path: string) => Promise<SongTags>;
  /** Overrides of TRANSCODE_DEADLINES (first frame, stall); tests shorten them. */
  readonly deadlines?: Partial<TranscodeDeadlines>;
}

const OPTION_KEYS = new Set(['input', 'format', 'logger', 'ffmpegPath', 'ffprobePath', 'readTags', 'deadlines']);

/** What one song came to, known when its stream ends. */
export interface TranscodeSummary {
  /** Samples per channel ffmpeg fed the encoder: the song's exact length at the station's sample rate. */
  readonly encodedSamples: number;
  /** Of those, samples of the source's own padding (AAC in MP4), trimmed like encoder padding. */
  readonly sourcePaddingSamples: number;
  /** Frames ffmpeg produced. */
  readonly framesEncoded: number;
  /** Frames the stream handed out after the gapless trim. */
  readonly framesEmitted: number;
  /** Playing time of the frames handed out. */
  readonly durationMs: number;
  /** The song's loudness as ffmpeg measured it; undefined when its summary was not printed. */
  readonly loudness: SongLoudness | undefined;
}

/** How the song's stream ends: whole, or with the error the consumer gets. */
type Outcome = Result<void, TranscodeError>;

/**
 * One song as MP3 frames in the station's format, gapless-trimmed, from an ffmpeg that runs while the
 * frames are read and waits when they are not. Object mode; emits `Mp3FrameBatch`es.
 *
 * Ends normally when ffmpeg exits 0. That includes damaged input ffmpeg can partly decode: a truncated
 * mp3/flac/faststart m4a file or a download cut mid-song plays its valid part, then ends (measured: ffmpeg
 * logs the damage and exits 0). Errors with a TranscodeError when ffmpeg fails: at once when no frame
 * came (missing file, undecodable input, an m4a cut before its index at the end), or, when ffmpeg dies
 * mid-song (killed, crashed), after every frame it produced: treat that as the end of the song.
 * A source that sends nothing, trickles or stalls fails the same way, with a TranscodeStalledError, once
 * ffmpeg has gone without a frame past a deadline (TRANSCODE_DEADLINES); ffmpeg is stopped.
 * Destroying the stream ends ffmpeg (SIGTERM, then SIGKILL).
 */
export class TranscodeStream extends Readable {
  readonly input: string;
  readonly format: StreamFormat;
  private readonly source: SongInput;
  private readonly logger: Logger;
  private readonly splitter = new Mp3FrameSplitter({
    emitClose: false,
    writableHighWaterMark: 4096,
    // One batch: the ready buffer below is the bound that counts.
    readableHighWaterMark: 1,
  });
  private readonly trimmer = new GaplessTrimmer();
  private readonly run: FfmpegRun;
  private readonly watch: FrameWatch;
  private readonly problems = new ProblemLines();
  private readonly loudness = new LoudnessSummaryReader();
  private readonly readTags: (path: string) => Promise<SongTags>;
  /** The input's container, from ffmpeg's "Input #0, …" line. */
  private inputFormat: string | undefined;
  /** The m4a's declared length, asked once ffmpeg has exited; undefined until then and for other inputs. */
  private declared: Promise<DeclaredLength | undefined> | undefined;
  private readonly ready: Mp3Frame[] = [];
  private readonly capacity: number;
  /**
   * The splitter is resumed once `ready` is down to this, not whenever a frame is taken: per frame, the
   * pause/resume round trip through the stream machinery was about a tenth of a playing station's CPU
   * in a profile.
   */
  private readonly refillAt: number;
  private readonly startedAt = Date.now();
  private waiting = false;
  private framesEmitted = 0;
  private encoded: number | undefined;
  private decoded: number | undefined;
  private splitterEnded = false;
  private exit: FfmpegExit | undefined;
  private finishing = false;
  private outcome: Outcome | undefined;
  private result: TranscodeSummary | undefined;

  constructor(options: TranscodeOptions) {
    // highWaterMark 0: the Readable buffers nothing itself, so `ready` is the one bounded buffer, and
    // `_read` is only called once every frame handed out has been taken (see `_read`).
    super({ objectMode: true, highWaterMark: 0 });
    this.source = songInput(options.input);
    this.input = this.source.display;
    this.format = options.format;
    this.logger = options.logger;
    this.capacity = framesInSeconds(options.format, TRANSCODE_BUFFER_SECONDS);
    this.refillAt = Math.floor(this.capacity / 2);

    this.watch = new FrameWatch(resolveTranscodeDeadlines(options.deadlines), (deadline, limitMs) => this.onStalled(deadline, limitMs));
    this.splitter.on('data', (batch: Mp3FrameBatch) => this.onEncoded(batch));
    this.splitter.on('end', () => {
      this.splitterEnded = true;
      this.watch.stop();
      this.maybeFinish();
    });
    this.splitter.on('error', (error) => {
      this.fail(`unreadable ffmpeg output (${describeError(error)})`, error);
      this.run.stop();
    });

    this.readTags = options.readTags ?? ((path) => probeTags(path, options.ffprobePath === undefined ? {} : { ffprobePath: options.ffprobePath }));
    this.run = new FfmpegRun({
      command: transcodeCommand(this.source, options.format),
      stdout: this.splitter,
      onLogLine: (line) => this.onLogLine(line),
      onStart: (pid) => this.logger.debug({ input: this.input, pid }, 'ffmpeg started'),
      ...(options.ffmpegPath !== undefined ? { ffmpegPath: options.ffmpegPath } : {}),
    });
    void this.run.exited.then((exit) => {
      this.exit = exit;
      this.declared = this.readDeclaredLength();
      // After a stall, ffmpeg's log is read only now: its problems, if any, are in this line.
      this.logger.debug({ input: this.input, pid: this.run.pid, code: exit.code, signal: exit.signal, problems: this.problems.tail }, 'ffmpeg exited');
      this.maybeFinish();
    });
  }

  /** ffmpeg's process id once it runs; undefined before, and when it could not start. */
  get pid(): number | undefined {
    return this.run.pid;
  }

  /** Frames waiting for the consumer: TRANSCODE_BUFFER_SECONDS of audio, plus at most one batch from the splitter. */
  get bufferedFrames(): number {
    return this.ready.length;
  }

  /** Set when the stream has ended normally. */
  get summary(): TranscodeSummary | undefined {
    return this.result;
  }

  override _read(): void {
    if (this.ready.length > 0) {
      this.pushBatch();
      if (this.ready.length <= this.refillAt) this.wantFrames();
      return;
    }
    if (this.outcome) {
      this.deliverOutcome(this.outcome);
      return;
    }
    this.waiting = true;
    this.wantFrames();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watch.stop();
    this.run.stop();
    this.splitter.destroy();
    this.ready.length = 0;
    callback(error);
  }

  private wantFrames(): void {
    this.splitter.resume();
    this.watch.want();
  }

  private onEncoded(batch: Mp3FrameBatch): void {
    this.watch.frame();
    for (const frame of batch) {
      const released = this.trimmer.accept(frame);
      if (released) this.ready.push(released);
    }
    this.offer();
  }

  /** Hands what is ready to a consumer already waiting for it; pauses ffmpeg once the buffer is full. */
  private offer(): void {
    if (this.waiting && this.ready.length > 0) {
      this.waiting = false;
      this.pushBatch();
    }
    if (this.ready.length >= this.capacity) {
      this.splitter.pause();
      this.watch.hold();
    }
  }

  private pushBatch(): void {
    const batch = this.ready.splice(0, MAX_BATCH_FRAMES);
    this.framesEmitted += batch.length;
    this.push(batch);
  }

  private onLogLine(raw: string): void {
    // ffmpeg prints the input as given: keep a signed URL's query string out of logs and errors.
    const line = parseLogLine(raw.split(this.source.ffmpegInput).join(this.input));
    this.problems.add(line);
    this.encoded ??= encodedSamples(line.text);
    this.decoded ??= decodedSamples(line.text);
    this.inputFormat ??= inputFormatName(line.text);
    this.loudness.add(line.text);
  }

  /** ffmpeg went past a deadline without a frame: what it made so far is the song; ffmpeg is stopped. */
  private onStalled(deadline: FrameDeadline, limitMs: number): void {
    const frames = this.trimmer.framesEncoded;
    const reason =
      deadline === 'first-frame'
        ? `no MP3 frame within the ${limitMs} ms first-frame deadline: the source sends nothing or too slowly`
        : `no new MP3 frame for the ${limitMs} ms stall deadline while frames were wanted, after ${frames} frames: the source stalled`;
    this.ready.push(...this.trimmer.abandon());
    this.offer();
    this.fail(`${reason}; ffmpeg stopped`, undefined, { deadline, limitMs });
    this.run.stop();
  }

  /** Once ffmpeg has exited and every frame it wrote has been split: trim the end and finish. */
  private maybeFinish(): void {
    const exit = this.exit;
    if (!exit || this.finishing || this.outcome || this.destroyed) return;
    if (!this.splitterEnded && !exit.startError) return;
    this.finishing = true;

    if (exit.startError) {
      const hint = 'install ffmpeg (apt-get install -y ffmpeg) or pass its path';
      this.fail(`ffmpeg did not start (${describeError(exit.startError)}): ${hint}`, exit.startError);
      return;
    }
    if (exit.code !== 0) {
      const how = exit.signal ? `ffmpeg was killed by ${exit.signal}` : `ffmpeg exit code ${String(exit.code)}`;
      // The input is already in the message: "/a.m4a: No such file or directory" says it twice.
      const reason = (this.problems.reason ?? 'no error message').split(`${this.input}: `).join('');
      this.ready.push(...this.trimmer.abandon());
      this.offer();
      this.fail(`${reason} (${how})`);
      return;
    }
    if (this.encoded === undefined) {
      this.logger.warn({ input: this.input }, 'ffmpeg did not report the encoded sample count: song end left untrimmed');
      this.ready.push(...this.trimmer.abandon());
      this.offer();
      this.complete(0);
      return;
    }
    const encoded = this.encoded;
    void withDeadline(this.declared ?? Promise.resolve(undefined), SOURCE_PROBE_WAIT_MS, () => undefined).then((declared) => {
      if (this.destroyed) return;
      const padding = this.decoded === undefined ? 0 : sourcePaddingSamples(this.decoded, declared, this.format.sampleRate);
      this.ready.push(...this.trimmer.finish(encoded - padding));
      this.offer();
      this.complete(padding);
    });
  }

  /**
   * Only AAC in MP4 declares a length that tells its padding, and only its end needs it: asked once ffmpeg
   * has exited, so no ffprobe runs beside ffmpeg (two processes of ~55 MB RSS each), and none for other
   * inputs. A paced ffmpeg exits once its last frames are in the pipe, seconds of audio ahead of the
   * consumer: they cover the wait.
   */
  private readDeclaredLength(): Promise<DeclaredLength | undefined> | undefined {
    if (this.exit?.code !== 0 || this.source.kind !== 'file' || !isMp4Family(this.inputFormat ?? '')) return undefined;
    return this.readTags(this.source.display).then(
      (tags) => tags.declaredLength,
      () => undefined,
    );
  }

  private complete(sourcePadding: number): void {
    const framesEmitted = this.framesEmitted + this.ready.length;
    this.result = {
      encodedSamples: this.encoded ?? 0,
      sourcePaddingSamples: sourcePadding,
      framesEncoded: this.trimmer.framesEncoded,
      framesEmitted,
      durationMs: Math.round((framesEmitted * frameDurationUs(this.format)) / 1000),
      loudness: this.loudness.loudness,
    };
    const elapsedMs = Date.now() - this.startedAt;
    this.logger.debug({ input: this.input, ...this.result, elapsedMs }, 'transcode finished');
    this.settle(ok(undefined));
  }

  private fail(reason: string, cause?: unknown, stalled?: { deadline: FrameDeadline; limitMs: number }): void {
    if (this.outcome || this.destroyed) return;
    const details = {
      input: this.input,
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      stderrTail: this.problems.tail,
      framesBefore: this.framesEmitted + this.ready.length,
      ...(cause === undefined ? {} : { cause }),
    };
    const error = stalled ? new TranscodeStalledError(reason, { ...details, ...stalled }) : new TranscodeError(reason, details);
    this.logger.warn({ input: this.input, err: error, framesBefore: error.framesBefore }, 'transcode failed');
    this.settle(failed(error));
  }

  /** Records how the song ends; the consumer sees it after the last ready frame. */
  private settle(outcome: Outcome): void {
    this.outcome = outcome;
    this.watch.stop();
    if (this.waiting && this.ready.length === 0) {
      this.waiting = false;
      this.deliverOutcome(outcome);
    } else if (!outcome.ok && this.ready.length === 0 && this.framesEmitted === 0) {
      // Nothing was played and nothing is lost: fail now, even if nobody is reading yet.
      this.deliverOutcome(outcome);
    }
  }

  private deliverOutcome(outcome: Outcome): void {
    if (outcome.ok) this.push(null);
    else this.destroy(outcome.failure);
  }

}

/** Starts transcoding one song; see TranscodeStream. Throws AudioOptionError for options that cannot work. */
export function transcode(options: TranscodeOptions): TranscodeStream {
  rejectUnknownOptions(options, OPTION_KEYS, (unknown) => new AudioOptionError(`transcode: ${describeUnknownOptions(unknown)}`));
  const problem = streamFormatProblem(options.format);
  if (problem) throw new AudioOptionError(`transcode: ${problem}`);
  return new TranscodeStream(options);
}
