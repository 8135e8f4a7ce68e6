import type { Logger } from '../../../log/index.js';
import type { LibraryFile } from './library.js';
import type { AudioTags, TagReader } from './tags.js';

/** Tag readers running at once: each is an ffprobe process, and this is a 2-core relay. */
export const TAG_READS_AT_ONCE = 4;
/** Reads waiting for a free reader; past this a song is named after its file rather than wait. */
export const TAG_READS_WAITING = 256;
/** Tags remembered per (file, mtime, size); a playlist paged through reads each file once. */
export const TAG_CACHE_ENTRIES = 2000;

/**
 * The tags of library files, read at most once per version of a file: concurrent asks for one file share
 * one read (50 workers asking for a new song start one ffprobe, not 50), and at most TAG_READS_AT_ONCE
 * reads run at once. Never rejects: a file whose tags cannot be read is named after itself.
 */
export class TagReads {
  private readonly cache = new Map<string, AudioTags>();
  private readonly pending = new Map<string, Promise<AudioTags>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(
    private readonly reader: TagReader,
    private readonly logger: Logger,
  ) {}

  read(file: LibraryFile): Promise<AudioTags> {
    const key = `${file.absPath}\0${file.mtimeMs}\0${file.size}`;
    const known = this.cache.get(key) ?? this.pending.get(key);
    if (known) return Promise.resolve(known);
    if (this.running >= TAG_READS_AT_ONCE && this.waiting.length >= TAG_READS_WAITING) {
      this.logger.warn({ event: 'relay.local.tags-busy', file: file.relPath, waiting: this.waiting.length }, 'too many tag reads waiting; using the file name');
      return Promise.resolve({});
    }
    const read = this.readNow(file).then((tags) => {
      this.pending.delete(key);
      if (this.cache.size >= TAG_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, tags);
      return tags;
    });
    this.pending.set(key, read);
    return read;
  }

  private async readNow(file: LibraryFile): Promise<AudioTags> {
    await this.acquire();
    try {
      return await this.reader(file.absPath);
    } catch (error) {
      // Remembered like tags: a file ffprobe cannot read is not read again until it changes.
      this.logger.warn({ event: 'relay.local.tags-failed', file: file.relPath, err: error }, 'could not read tags; using the file name');
      return {};
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < TAG_READS_AT_ONCE) {
      this.running += 1;
      return;
    }
    // release() hands its slot straight to the first waiter, so `running` stays as it is.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
