import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_STREAM_FORMAT, transcode } from '../src/audio/index.js';
import { AudioCache } from '../src/cache/index.js';
import { silentLogger } from '../src/log/index.js';

/** Room for a few bench songs (about 1 MiB per minute at 128 kb/s). */
const BENCH_CACHE_MB = 64;

export interface PreparedCacheOptions {
  /** The folder's name under the run's directory (default `prepared-cache`): one per worker, as a cache folder is. */
  readonly name?: string;
  /**
   * Store each song's loudness as its transcode measured it, as a worker's own fill does: the station then
   * levels the song (a gain stage on every frame). Without it the entries carry no figures and the song plays
   * as it is, with no gain stage at all.
   */
  readonly measured?: boolean;
}

/**
 * A worker cache folder (the config's `cacheDir`) holding `songs` already transcoded in the default
 * format, as a station has them from its second play on: the worker then plays them from disk with no
 * ffmpeg, so what it costs is pacing alone. Written through the worker's own AudioCache and transcoder.
 */
export async function preparedCacheDir(dir: string, songs: readonly string[], options: PreparedCacheOptions = {}): Promise<string> {
  const cacheDir = join(dir, options.name ?? 'prepared-cache');
  await mkdir(cacheDir, { recursive: true });
  const logger = silentLogger();
  const cache = await AudioCache.open({ dir: join(cacheDir, 'audio'), maxBytes: BENCH_CACHE_MB * 1024 * 1024, logger });
  for (const song of songs) {
    if (cache.has(song, DEFAULT_STREAM_FORMAT)) continue;
    const frames = transcode({ input: song, format: DEFAULT_STREAM_FORMAT, logger });
    await pipeline(frames, cache.writer(song, DEFAULT_STREAM_FORMAT, options.measured ? () => frames.summary?.loudness : undefined));
  }
  return cacheDir;
}
