import type { DownloadOptions, DownloadResult } from './download-to-file.js';

export type { DownloadOptions, DownloadResult } from './download-to-file.js';
export {
  DOWNLOAD_DEFAULTS,
  MAX_DOWNLOAD_BYTES,
  MIN_DOWNLOAD_BYTES_PER_SECOND,
  resolveDownloadLimits,
  type DownloadLimits,
} from './defaults.js';
export { downloadRetryDelayMs } from './retry-delay.js';
export * from './errors.js';

/**
 * Downloads `options.url` to `options.dest` (see download-to-file.ts). got and its two dozen modules
 * (about 20 MB of a worker's memory and 0.1 s of its start-up) load with the first download: a station
 * that plays local files never pays for them.
 */
export async function downloadToFile(options: DownloadOptions): Promise<DownloadResult> {
  const { downloadToFile: download } = await import('./download-to-file.js');
  return download(options);
}
