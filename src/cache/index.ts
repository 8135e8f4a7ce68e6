export { AudioCache, type AudioCacheOptions, type AudioCacheStats } from './audio-cache.js';
export { cacheWhilePlaying } from './cache-while-playing.js';
export type { CacheEntryReader } from './entry-reader.js';
export { CacheDirectoryError, CacheEntryCorruptError, CacheEntryTooLargeError, CacheWriteError } from './errors.js';
export { makeDirectory, probeWrite } from './file-io.js';
