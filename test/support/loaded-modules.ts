import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, REPO_ROOT } from './paths.js';

/**
 * A module-resolution hook (node:module register) that writes every URL the ES module loader resolves to
 * stderr, one `loaded-module <url>` line each. It runs in the loader's own thread, so it writes to fd 2
 * directly. Modules a CommonJS package require()s internally do not pass through it: a package counts as
 * loaded when its entry point is imported, which is how relaycast loads every package it uses.
 */
const HOOKS_SOURCE = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  writeSync(2, 'loaded-module ' + resolved.url + '\\n');
  return resolved;
}`;
const dataUrl = (source: string) => `data:text/javascript,${encodeURIComponent(source)}`;
/** Preloaded with --import: registers the hook before the CLI's first module is resolved. */
const REGISTER_HOOKS = dataUrl(`import { register } from 'node:module'; register(${JSON.stringify(dataUrl(HOOKS_SOURCE))});`);

/** Written by scripts/bundle-cli.mjs: the source files each file of the bundled CLI holds. */
const METAFILE_PATH = join(REPO_ROOT, 'dist', 'src', 'cli-chunks', 'metafile.json');

interface Metafile {
  readonly outputs: Record<string, { readonly inputs: Record<string, { readonly bytesInOutput: number }> }>;
}

export interface LoadedModules {
  readonly code: number | null;
  readonly stdout: string;
  /** Stderr without the hook's lines. */
  readonly stderr: string;
  /** Every resolved module URL, in order. */
  readonly urls: readonly string[];
  /**
   * The source files loaded, relative to the repository (`node_modules/got/dist/source/index.js`,
   * `src/cli/commands/playback.ts`, or `dist/src/...` when the CLI is tsc's output, not a bundle): a file
   * of the bundled CLI stands for the sources it holds.
   */
  readonly sources: readonly string[];
  /** npm packages among them (`commander`, `@scope/name`), bundled or not. */
  readonly packages: ReadonlySet<string>;
}

function sourcesOf(urls: readonly string[]): string[] {
  const metafile = existsSync(METAFILE_PATH) ? (JSON.parse(readFileSync(METAFILE_PATH, 'utf8')) as Metafile) : undefined;
  return urls.flatMap((url) => {
    if (!url.startsWith('file:')) return [];
    const path = relative(REPO_ROOT, fileURLToPath(url));
    const inputs = metafile?.outputs[path]?.inputs;
    return inputs ? Object.entries(inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])) : [path];
  });
}

/** Runs the built `relaycast <args>` (no Redis, clean environment) and records which modules it loaded. */
export function modulesLoadedBy(args: readonly string[], timeoutMs = 15_000): Promise<LoadedModules> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER_HOOKS, CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stderr.split('\n');
      const urls = lines.filter((line) => line.startsWith('loaded-module ')).map((line) => line.slice('loaded-module '.length));
      const sources = sourcesOf(urls);
      const packages = new Set(sources.flatMap((source) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1] ?? []));
      resolve({ code, stdout, stderr: lines.filter((line) => !line.startsWith('loaded-module ')).join('\n'), urls, sources, packages });
    });
  });
}
