import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { describeError } from '../errors.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LOUDNESS_TARGET_LUFS, gainSteps, transcode, withGain, type SongLoudness, type SongTags, type StreamFormat, type TranscodeStream } from '../audio/index.js';
import type { AudioCache } from '../cache/index.js';
import { AudioUrlExpiredError, DownloadError, DownloadWriteError, downloadToFile } from '../download/index.js';
import type { Logger } from '../log/index.js';
import type { PlayableSong } from '../relay-client/index.js';
// The error classes alone: the client module loads got, which a worker without a relay never needs.
import { RelayAuthError, RelayRejectedError, RelayUnavailableError } from '../relay-client/errors.js';
import { SongNotReadyError } from '../station/errors.js';
import type { FrameLoader, LoadedSong } from '../station/programme.js';
import type { Song } from '../station/song.js';
import { songMetaOf, type SongMeta } from '../store/index.js';
import type { CachedResolver } from './cached-resolver.js';
import { SongUnplayableError } from './errors.js';
import { withFillFallback } from './fill-fallback.js';

export interface RefLoaderOptions {
  resolver: CachedResolver;
  /** Transcoded songs on disk; without it every play downloads and transcodes again. */
  audioCache?: AudioCache | undefined;
  /**
   * Where downloads wait for ffmpeg; each file is removed when its song's transcode ends. Undefined when
   * no folder could be had: ffmpeg then reads each audio URL itself.
   */
  downloadDir: string | undefined;
  format: StreamFormat;
  logger: Logger;
  /**
   * Whether a song its provider refuses may play from the other provider (the station's `match` setting).
   * Asked at every song, so a change applies from the next one; default on.
   */
  match?: () => boolean;
  /**
   * The station's loudness target in LUFS, or null when normalisation is off (the station's `loudness`
   * setting). Asked at every batch of frames, so a change is heard within a second; default
   * DEFAULT_LOUDNESS_TARGET_LUFS.
   */
  loudness?: () => number | null;
  /**
   * Told of a song's loudness (under the ref its audio is cached as) when it plays from the disk cache, and
   * when a transcode into the cache has measured it: the worker records it in Redis for the CLI.
   */
  onMeasured?: (ref: string, loudness: SongLoudness) => void;
  /**
   * The process's memoized tag reader: a transcode asks it for an m4a's declared length (its gapless trim),
   * so a file whose tags were read to list it is not probed again. Default: one ffprobe per m4a transcode.
   */
  readTags?: ((path: string) => Promise<SongTags>) | undefined;
  /** Told of every ffmpeg transcode when it is over: how long it ran and how it ended. */
  onTranscode?: (seconds: number, outcome: TranscodeOutcome) => void;
}

/** A transcode ran to the song's end, failed (ffmpeg error or stall), or was stopped (skipped, station stopped). */
export type TranscodeOutcome = 'ok' | 'failed' | 'stopped';

/**
 * A song's way to frames: the disk cache when it has the song (no download, no ffmpeg); a file or URL
 * given in the config goes straight to ffmpeg; a ref is resolved (Redis, then the relay), downloaded and
 * transcoded. Frames are cached while they play. An audio URL that answers 403 has expired early: it is
 * resolved again once, then the song is skipped and remembered as unplayable. When the relay or the
 * network is away the song is not skipped but kept in line (SongNotReadyError). A download that cannot
 * be written (disk full, read-only) is not the song's fault either: ffmpeg reads the URL itself instead.
 */
export function refLoader(options: RefLoaderOptions): FrameLoader {
  const streamed = { warned: false };
  return {
    async load(song, signal) {
      try {
        return normalised(await loadSong(song, signal, options, streamed), options);
      } catch (error) {
        throw isPassing(error) ? new SongNotReadyError(song.ref, error) : error;
      }
    },
  };
}

/**
 * What loading found: the frames, and the song's loudness: known at once when the disk cache had the song,
 * known once `measured` settles when the song is being transcoded into the cache, never known (undefined)
 * when it plays straight from ffmpeg.
 */
type Loaded = LoadedSong & { readonly loudness: () => SongLoudness | undefined; readonly measured?: Promise<void> | undefined };

/**
 * The one place a song's level is set: frames on their way to the station, moved by whole 1.5 dB steps
 * towards the station's target (see gainSteps). A song being transcoded into the cache is measured by that
 * transcode, which runs at full speed: its frames are held (FrameHold) until the measurement is in, or
 * until the station wants the song, so a song prepared ahead is levelled from its first play. The level is
 * chosen when the first frame goes through and kept for the whole song; only the target may change.
 */
function normalised(loaded: Loaded, options: RefLoaderOptions): LoadedSong {
  // Straight from ffmpeg, or an entry without figures: nothing will ever be known, so no gain stage at all.
  if (!loaded.measured && !loaded.loudness()) {
    options.logger.debug({ song: loaded.song.ref }, 'song loudness not measured yet: played as it is');
    return { song: loaded.song, frames: loaded.frames };
  }
  const target = options.loudness ?? (() => DEFAULT_LOUDNESS_TARGET_LUFS);
  let chosen: { loudness: SongLoudness | undefined } | undefined;
  const steps = () => {
    if (!chosen) {
      chosen = { loudness: loaded.loudness() };
      const { loudness } = chosen;
      options.logger.debug(
        { song: loaded.song.ref, lufs: loudness?.integratedLufs ?? null, truePeakDb: loudness?.truePeakDb ?? null, target: target(), steps: gainSteps(target(), loudness) },
        loudness ? 'song levelled by its measured loudness' : 'song loudness not measured yet: played as it is',
      );
    }
    return gainSteps(target(), chosen.loudness);
  };
  const frames = withGain(loaded.frames, steps, loaded.measured);
  return { song: loaded.song, frames, hold: loaded.measured ? frames : undefined };
}

/** ffmpeg on one input, reported to `onTranscode` once its stream is closed. */
function transcoded(input: string, options: RefLoaderOptions, logger: Logger): TranscodeStream {
  const frames = transcode({ input, format: options.format, logger, ...(options.readTags ? { readTags: options.readTags } : {}) });
  const report = options.onTranscode;
  if (!report) return frames;
  const started = performance.now();
  let outcome: TranscodeOutcome = 'stopped';
  frames.once('end', () => (outcome = 'ok'));
  frames.once('error', () => (outcome = 'failed'));
  frames.once('close', () => report((performance.now() - started) / 1000, outcome));
  return frames;
}

/** Failures that say nothing about the song: the relay, the CDN or the network is away for now. */
function isPassing(error: unknown): boolean {
  return (
    error instanceof RelayUnavailableError ||
    error instanceof RelayAuthError ||
    error instanceof DownloadError ||
    (error instanceof RelayRejectedError && error.retryable)
  );
}

async function loadSong(song: Song, signal: AbortSignal, options: RefLoaderOptions, streamed: { warned: boolean }): Promise<Loaded> {
  const logger = options.logger.child({ song: song.ref });
  const cached = await cachedFrames(song.ref, options);
  if (cached) return { ...cached, song: await describeCached(song, options) };
  if (song.input) return { song, ...transcodedFrames(song.input, song.ref, options, logger) };
  const resolution = await resolvePlayable(song.ref, options, false);
  // The disk cache keeps audio under the ref it belongs to: another provider's match under its own ref, so
  // a station with the match off never finds it under the asked one.
  const played = resolution.matchedFrom?.ref ?? song.ref;
  const described = songOf(song, songMetaOf(resolution));
  if (resolution.matchedFrom) {
    logger.info({ matchedFrom: played, score: resolution.matchedFrom.score }, 'playing the song from another provider');
    const cachedMatch = await cachedFrames(played, options);
    if (cachedMatch) return { ...cachedMatch, song: described };
  }
  const { input, temporary } = await fetchAudio(resolution, options, signal, logger).catch((error: unknown) => {
    if (!(error instanceof DownloadWriteError)) throw error;
    // One line per station for the condition, not one per song: the cache folder's own warning says more.
    if (!streamed.warned) logger.warn({ err: describeError(error) }, 'downloads cannot be written: ffmpeg reads the audio URLs directly');
    streamed.warned = true;
    return { input: resolution.audio.url, temporary: false };
  });
  return { song: described, ...transcodedFrames(input, played, options, logger, temporary ? () => void rm(input, { force: true }) : undefined) };
}

/** The song from the disk cache: a committed entry, or one still being transcoded into it. */
async function cachedFrames(ref: string, options: RefLoaderOptions): Promise<Omit<Loaded, 'song'> | undefined> {
  const reader = await options.audioCache?.reader(ref, options.format);
  if (!reader) return undefined;
  if (!('done' in reader)) {
    tellMeasured(ref, reader.loudness, options);
    return { frames: reader, loudness: () => reader.loudness };
  }
  void reader.done.then(() => tellMeasured(ref, reader.loudness, options));
  return { frames: reader, loudness: () => reader.loudness, measured: reader.done };
}

/** Passes on figures that are known; an entry written before loudness was measured has none. */
function tellMeasured(ref: string, loudness: SongLoudness | undefined, options: RefLoaderOptions): void {
  if (loudness) options.onMeasured?.(ref, loudness);
}

/**
 * A song that is not cached: transcoded at full speed into the disk cache and played from it as it is
 * written (one short ffmpeg run instead of one that lives as long as the song), with a transcode of
 * its own to fall back on should the cache fail midway. When the cache cannot take the song now, it plays
 * straight from an ffmpeg paced by the player, as before. `done` runs once no ffmpeg needs the input.
 */
function transcodedFrames(input: string, ref: string, options: RefLoaderOptions, logger: Logger, done?: () => void): Omit<Loaded, 'song'> {
  const direct = () => transcoded(input, options, logger);
  let filled: TranscodeStream | undefined;
  const filling = options.audioCache?.fill(
    ref,
    options.format,
    () => (filled = transcoded(input, options, logger)),
    () => filled?.summary?.loudness,
    { readsNetwork: /^https?:\/\//i.test(input) },
  );
  if (!filling) {
    const frames = direct();
    if (done) frames.once('close', done);
    return { frames, loudness: () => undefined };
  }
  const frames = withFillFallback(filling, direct, logger);
  void filling.done.then(() => tellMeasured(ref, filling.loudness, options));
  if (done) void Promise.all([filling.done, new Promise((resolve) => frames.once('close', resolve))]).then(done);
  return { frames, loudness: () => filling.loudness, measured: filling.done };
}

async function resolvePlayable(ref: string, options: RefLoaderOptions, fresh: boolean): Promise<PlayableSong> {
  const resolution = await options.resolver.resolve(ref, { fresh, match: matchOf(options) });
  if (!resolution.ok) throw new SongUnplayableError(ref, resolution.failure.reason, resolution.failure.message);
  return resolution.value;
}

async function describeCached(song: Song, options: RefLoaderOptions): Promise<Song> {
  if (song.input) return song;
  const meta = await options.resolver.knownMetadata(song.ref);
  if (meta) return songOf(song, meta);
  const resolution = await options.resolver.resolve(song.ref, { match: matchOf(options) }).catch(() => undefined);
  return resolution?.ok ? songOf(song, songMetaOf(resolution.value)) : song;
}

async function fetchAudio(
  resolution: PlayableSong,
  options: RefLoaderOptions,
  signal: AbortSignal,
  logger: Logger,
): Promise<{ input: string; temporary: boolean }> {
  // The embedded local provider hands out file: URLs: the file is on this host already.
  if (resolution.audio.url.startsWith('file:')) return { input: fileURLToPath(resolution.audio.url), temporary: false };
  if (options.downloadDir === undefined) return { input: resolution.audio.url, temporary: false };
  const dest = join(options.downloadDir, `${randomBytes(8).toString('hex')}.${resolution.audio.format || 'audio'}`);
  try {
    await downloadToFile({ url: resolution.audio.url, dest, signal, logger });
  } catch (error) {
    if (!(error instanceof AudioUrlExpiredError)) throw error;
    logger.info('audio URL refused (expired?): resolving the song again');
    const again = await resolvePlayable(resolution.ref, options, true);
    try {
      await downloadToFile({ url: again.audio.url, dest, signal, logger });
    } catch (retryError) {
      if (retryError instanceof AudioUrlExpiredError) await options.resolver.markUnplayable(resolution.ref, 'url-refused', retryError.message);
      throw retryError;
    }
  }
  return { input: dest, temporary: true };
}

function matchOf(options: RefLoaderOptions): boolean {
  return options.match?.() ?? true;
}

function songOf(song: Song, meta: SongMeta): Song {
  return { ...song, title: meta.title, artist: meta.artist, album: meta.album, durationMs: meta.durationMs, coverUrl: meta.coverUrl };
}
