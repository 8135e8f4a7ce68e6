import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { ListEntry } from '../station/list-supplier.js';
import { PlaylistFileError, readPlaylistFile } from './playlist-file.js';

/**
 * Quiet time after the last change to the file before it is read again: a save is several events (an
 * editor writes a temp file and renames it over the old one; a copy arrives in chunks).
 */
export const RELOAD_QUIET_MS = 100;
/** An edit is read at most this long after its first event, however busy the folder stays. */
export const RELOAD_MAX_DELAY_MS = 400;

export interface WatchedPlaylistOptions {
  path: string;
  /** The station's logger. */
  logger: Logger;
  /** The file's entries changed: a new list to play from the next song. */
  onChange: (entries: ListEntry[]) => void;
}

/**
 * A station's playlist file, followed while the station runs (file mode). Its folder is watched, not the
 * file: editors replace a file by renaming another over it, which ends a watch on the file itself, and a
 * missing file has nothing to watch until it appears. A file that is missing, unreadable or not a
 * playlist keeps the last good list (none at start: the station stays up, silent) with one warning until
 * it is good again.
 */
export class WatchedPlaylist {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstEventAt = 0;
  private reading: Promise<void> = Promise.resolve();
  /** The list last handed out, as JSON: an event that changes nothing (a touch, a re-save) replans nothing. */
  private current: string | undefined;
  private failing = false;
  private closed = false;

  constructor(private readonly options: WatchedPlaylistOptions) {}

  /** Starts watching and reads the file: its entries, or none when it cannot be used yet. */
  async start(): Promise<ListEntry[]> {
    this.watchFolder();
    let entries: ListEntry[] | undefined;
    // In line with reloads: an edit seen while this first read runs is applied after it, never before.
    this.reading = this.reading.then(async () => {
      entries = await this.read();
      if (entries) this.options.logger.info({ playlistFile: this.options.path, songs: entries.length }, 'playlist file read');
      this.current = JSON.stringify(entries ?? []);
    });
    await this.reading;
    return entries ?? [];
  }

  /** Reads the file again now (SIGHUP); applies it if it changed. */
  reload(): Promise<void> {
    this.reading = this.reading.then(() => this.apply());
    return this.reading;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private watchFolder(): void {
    const name = basename(this.options.path);
    try {
      this.watcher = watch(dirname(this.options.path), { persistent: false }, (_event, changed) => {
        // Some platforms do not say which file changed: then any change in the folder may be ours.
        if (!changed || changed.toString() === name) this.schedule();
      });
      this.watcher.on('error', (error) => this.stopWatching(error));
    } catch (error) {
      this.stopWatching(error);
    }
  }

  private stopWatching(error: unknown): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.options.logger.warn({ playlistFile: this.options.path, err: describeError(error) }, 'cannot watch the playlist file\'s folder: edits apply on SIGHUP');
  }

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.timer) this.firstEventAt = now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(RELOAD_QUIET_MS, this.firstEventAt + RELOAD_MAX_DELAY_MS - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, wait);
  }

  private async apply(): Promise<void> {
    const entries = await this.read();
    if (this.closed || !entries) return;
    const text = JSON.stringify(entries);
    if (text === this.current) return;
    this.current = text;
    this.options.logger.info({ playlistFile: this.options.path, songs: entries.length }, 'playlist file changed: playing the new list from the next song');
    this.options.onChange(entries);
  }

  /** The file's entries, or undefined (with one warning per spell of trouble) when it cannot be used. */
  private async read(): Promise<ListEntry[] | undefined> {
    try {
      const entries = await readPlaylistFile(this.options.path);
      if (this.failing) this.options.logger.info({ playlistFile: this.options.path }, 'playlist file usable again');
      this.failing = false;
      return entries;
    } catch (error) {
      if (!this.failing) this.warn(error);
      this.failing = true;
      return undefined;
    }
  }

  private warn(error: unknown): void {
    const details = { playlistFile: this.options.path, err: describeError(error) };
    if (this.current === undefined && error instanceof PlaylistFileError && error.missing) {
      this.options.logger.warn(details, 'playlist file missing: the station stays up, silent, until it appears');
    } else {
      this.options.logger.warn(details, 'cannot use the playlist file: keeping the last good list');
    }
  }
}
