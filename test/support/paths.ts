import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this file holding package.json. Found by walking up, so
 * the test helpers work from the source tree (vitest) and compiled into dist/ (the bench) alike.
 */
function findRoot(start: string): string {
  let dir = start;
  for (let depth = 0; depth < 6; depth += 1) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no package.json above ${start}`);
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
/** The built CLI, as an operator runs it (`npm test` and `npm run bench` build first). */
export const CLI_PATH = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
