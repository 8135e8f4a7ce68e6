export { AudioCache, type AudioCacheOptions, type AudioCacheStats, type FillOptions } from './audio-cache.js';
export type { CacheEntryReader } from './entry-reader.js';
export { CacheDirectoryError, CacheEntryCorruptError, CacheEntryTooLargeError, CacheFillError, CacheWriteError } from './errors.js';
export { makeDirectory, probeWrite } from './file-io.js';
export type { GrowingEntryReader } from './growing-entry-reader.js';
