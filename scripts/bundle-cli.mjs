// Bundles the command line into dist/src/cli/main.js (the package's bin), after tsc has type-checked and
// compiled everything (`npm run build` runs both).
//
// Why: Node 20 loads ES modules one file at a time, through an asynchronous loader. Unbundled, `relaycast now`
// opens some 370 files (zod alone is 95, got and its helpers 45) and a worker about 400; resolving, reading
// and compiling them, not the code run, took most of their ~0.3 s of CPU (--cpu-prof, issue 16 item 5).
// Bundled, `relaycast now` against a local Redis took 0.24 s instead of 0.31 s (bench row 'cli'), and a
// worker's first log line came at 0.19 s instead of 0.25 s (bench row 'startup').
//
// Code splitting keeps the lazy loading of src/cli/commands/: each command's module and each library an
// action imports with import() is its own chunk, loaded only when that command or action runs.
// The chunks go to dist/src/cli-chunks/, at the same depth as dist/src/web/ and dist/src/setup/, whose
// code finds the static files and icecast.xml relative to import.meta.url.
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const CHUNKS_DIR = 'dist/src/cli-chunks';
/** Which source files each output file holds: what test/integration/cli-startup.test.ts reads to tell what a command loads. */
const METAFILE_PATH = `${CHUNKS_DIR}/metafile.json`;

/**
 * The dependencies left to Node's own loader: the CommonJS ones. Node loads a CommonJS package's files
 * synchronously and cheaply, and gives `await import()` of one its named exports (ioredis's `Redis`),
 * which a bundle would not (esbuild hands import() of CommonJS only a default export). The ES module
 * packages (zod, got and what it imports) are bundled: their files are the expensive ones.
 */
async function commonJsDependencies() {
  const { dependencies } = JSON.parse(await readFile('package.json', 'utf8'));
  const names = [];
  for (const name of Object.keys(dependencies)) {
    const manifest = JSON.parse(await readFile(`node_modules/${name}/package.json`, 'utf8'));
    if (manifest.type !== 'module') names.push(name);
  }
  return names;
}

await rm(CHUNKS_DIR, { recursive: true, force: true });
const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/src',
  entryNames: 'cli/[name]',
  chunkNames: 'cli-chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: await commonJsDependencies(),
  // Error classes name themselves after their constructor (RelaycastError: this.name = new.target.name).
  keepNames: true,
  sourcemap: true,
  // CommonJS files the bundled packages import (got's http2-wrapper) require() Node's built-in modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
await writeFile(METAFILE_PATH, JSON.stringify(result.metafile));
// Runnable by its shebang, as the bench runs a worker: the shebang carries the worker's V8 flags.
await chmod('dist/src/cli/main.js', 0o755);
