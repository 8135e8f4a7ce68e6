/**
 * Audio: a song (file or URL) goes through ffmpeg (transcoder.ts, command lines in commands.ts) and comes
 * out as MP3 frames in the station's format (mp3-frame-splitter.ts), trimmed so songs join without a gap
 * (gapless.ts). SilentFrames fill the stream when no song is ready; probeTags reads titles (an m4a from
 * its moov in this process, mp4-song-info.ts; anything else with ffprobe).
 */
export {
  DEFAULT_STREAM_FORMAT,
  bytesPerSecond,
  describeFormat,
  formatKey,
  frameBytes,
  frameDurationUs,
  framesInSeconds,
  streamFormatProblem,
  STREAM_CHANNELS,
  type StreamFormat,
} from './format.js';
export { MPEG1_BITRATES_KBPS, MPEG1_SAMPLE_RATES, SAMPLES_PER_FRAME } from './mpeg1.js';
export { MAX_BATCH_FRAMES, type Mp3Frame, type Mp3FrameBatch } from './frame.js';
export { parseMp3Header, isInfoFrame, type Mp3Header } from './mp3-header.js';
export { applyMp3Gain, GAIN_STEP_DB, globalGains } from './mp3-gain.js';
export { GainStream, withGain } from './gain-stream.js';
export {
  DEFAULT_LOUDNESS_TARGET_LUFS,
  describeLoudness,
  gainSteps,
  LOUDNESS_TARGET_RANGE,
  loudnessTargetProblem,
  TRUE_PEAK_CEILING_DB,
  type SongLoudness,
} from './loudness.js';
export { Mp3FrameSplitter, type Mp3FrameSplitterOptions } from './mp3-frame-splitter.js';
export {
  transcode,
  TranscodeStream,
  TRANSCODE_BUFFER_SECONDS,
  type TranscodeOptions,
  type TranscodeSummary,
} from './transcoder.js';
export { SilentFrames } from './silence.js';
export { probeTags } from './probe.js';
export type { SongTags } from './song-tags.js';
export { memoizeTags, TAG_MEMO_ENTRIES } from './tag-memo.js';
export { liveFfmpegPids } from './ffmpeg.js';
export { TRANSCODE_DEADLINES, type TranscodeDeadlines } from './frame-watch.js';
export { AudioOptionError, ProbeError, TranscodeError, TranscodeStalledError, type TranscodeErrorDetails } from './errors.js';
