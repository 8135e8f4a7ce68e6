export { downloadToFile, type DownloadOptions, type DownloadResult } from './download-to-file.js';
export { DOWNLOAD_DEFAULTS, MAX_DOWNLOAD_BYTES, resolveDownloadLimits, type DownloadLimits } from './defaults.js';
export { downloadRetryDelayMs, type DownloadRetryPolicy } from './retry-delay.js';
export { AudioTooLargeError, AudioUnavailableError, AudioUrlExpiredError, DownloadError, DownloadWriteError } from './errors.js';
