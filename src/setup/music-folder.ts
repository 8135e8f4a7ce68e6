import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSongRef } from '../refs/index.js';

/** Folders deeper than this below the music folder are not searched. */
export const MAX_FOLDER_DEPTH = 12;
/** Directory entries looked at, at most: a music folder mounted over a whole disk still ends quickly. */
export const MAX_ENTRIES_SCANNED = 200_000;

/**
 * The audio files under `dir` as `/`-separated paths relative to it, sorted, at most `limit`: exactly the
 * files the relay's local provider serves as `local:<path>` (hidden files and folders, and files of other
 * types, are left out by the same ref rules). Symlinked files count; symlinked folders are not followed
 * (no loops). A missing folder has no files.
 */
export async function listAudioFiles(dir: string, limit: number): Promise<string[]> {
  const found: string[] = [];
  let scanned = 0;
  const walk = async (relDir: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, relDir), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      scanned += 1;
      if (scanned > MAX_ENTRIES_SCANNED || found.length >= limit) return;
      if (entry.name.startsWith('.')) continue;
      const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH) await walk(relPath, depth + 1);
      } else if (isSongRef(`local:${relPath}`) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(dir, relPath)))))) {
        found.push(relPath);
      }
    }
  };
  await walk('', 0);
  return found;
}

/** True when the folder holds at least one audio file the relay would serve. */
export async function hasAudioFiles(dir: string): Promise<boolean> {
  return (await listAudioFiles(dir, 1)).length > 0;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}
