import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The pages' HTML, CSS and JS: plain files in src/web/static/, which tsc does not copy. This module runs from
 * src/web/ under the tests and from dist/src/web/ when built, so the folder is found from either (as setup
 * finds icecast.xml).
 */
const STATIC_CANDIDATES = ['./static/', '../../../src/web/static/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
export const STATIC_DIR = STATIC_CANDIDATES.find((path) => existsSync(path)) ?? STATIC_CANDIDATES[0]!;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * Every file of the folder, read once at start-up: the set of names served is fixed, so no request path
 * ever reaches the file system.
 */
export async function loadStaticFiles(dir: string = STATIC_DIR): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const name of await readdir(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined || !/^[a-z0-9][a-z0-9.-]*$/.test(name)) continue;
    files.set(name, { body: await readFile(join(dir, name)), contentType });
  }
  return files;
}
