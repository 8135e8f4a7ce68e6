/** Frames a cache reader buffers ahead of its consumer, in whole batches: ~1.7 s of audio at 44.1 kHz, a few hundred KB at most. */
export const READER_HIGH_WATER_FRAMES = 64;
/** Frames a cache writer accepts, in whole batches, before write() returns false and the producer waits. */
export const WRITER_HIGH_WATER_FRAMES = 64;
/** Bytes read from or written to an entry file per system call. */
export const IO_CHUNK_BYTES = 64 * 1024;
/**
 * A temp file untouched this long belongs to a writer that died (crash, kill -9). A live writer touches its
 * temp file at least every IO_CHUNK_BYTES of audio (~16 s even at 32 kb/s), so a younger temp file may
 * belong to another process sharing the directory and is left alone.
 */
export const STALE_TEMP_AFTER_MS = 10 * 60 * 1000;
/** After the cache folder refused a write (full, read-only), songs play uncached this long before one writer tries again. */
export const UNAVAILABLE_RETRY_MS = 30_000;
/**
 * A song playing from the cache file its transcode is still writing gives up on the file when nothing has
 * been written for this long while it wanted frames: a disk that hangs (ffmpeg's own stalls end the
 * transcode sooner, at TRANSCODE_DEADLINES' 8 s). The song then goes on straight from ffmpeg.
 */
export const FILL_PROGRESS_DEADLINE_MS = 10_000;
