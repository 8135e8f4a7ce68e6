import { realpath, stat } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { ConfigError } from '../../../errors.js';
import { libraryPathOf } from '../../../m3u/index.js';
import { libraryPathProblem } from '../../../refs/index.js';

/** A regular file inside the music library. */
export interface LibraryFile {
  /** Path relative to the library root, `/`-separated, as refs and tokens carry it. */
  relPath: string;
  /** Real path (symlinks resolved), always inside the library root. */
  absPath: string;
  size: number;
  mtimeMs: number;
}

/**
 * The folder of audio files and M3U playlists on the relay host. Every way into it (refs, M3U entries,
 * signed file tokens) goes through `find`, which refuses anything that resolves outside the root,
 * symlinks included.
 */
export class MusicLibrary {
  /** The folder as configured, made absolute; M3U files may name entries under it. */
  readonly dir: string;
  private rootPromise: Promise<string> | undefined;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The library's real path, resolved once. */
  root(): Promise<string> {
    this.rootPromise ??= realpath(this.dir).then(
      async (root) => {
        if (!(await stat(root)).isDirectory()) throw new ConfigError('local.musicDir', `${this.dir} is not a folder`);
        return root;
      },
      (error: unknown) => {
        this.rootPromise = undefined; // the folder may appear later (a mount coming up)
        throw new ConfigError('local.musicDir', `cannot open ${this.dir}: ${(error as Error).message}`);
      },
    );
    return this.rootPromise;
  }

  /** The file at `relPath`, or undefined when it is missing, not a regular file or outside the library. */
  async find(relPath: string, kind: 'audio' | 'playlist'): Promise<LibraryFile | undefined> {
    // Refs were checked already; tokens and M3U entries were not, and re-checking costs nothing.
    if (libraryPathProblem(relPath, kind)) return undefined;
    const root = await this.root();
    let absPath: string;
    try {
      absPath = await realpath(join(root, relPath));
    } catch {
      return undefined;
    }
    if (!isInside(root, absPath)) return undefined; // a symlink that leads out of the library
    const info = await stat(absPath).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { relPath, absPath, size: info.size, mtimeMs: info.mtimeMs };
  }

  /** The M3U named `name` (`mixes/chill` finds `mixes/chill.m3u8` or `mixes/chill.m3u`). */
  async findPlaylist(name: string): Promise<LibraryFile | undefined> {
    const candidates = /\.m3u8?$/i.test(name) ? [name] : [`${name}.m3u8`, `${name}.m3u`];
    for (const candidate of candidates) {
      const file = await this.find(candidate, 'playlist');
      if (file) return file;
    }
    return undefined;
  }

  /** The library-relative path of an M3U entry, or undefined when it points elsewhere (see libraryPathOf). */
  async entryPath(playlistRelPath: string, location: string): Promise<string | undefined> {
    const place = libraryPathOf(location, { roots: [await this.root(), this.dir], folder: posix.dirname(playlistRelPath) });
    return place.ok ? place.value : undefined;
  }
}

function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}
