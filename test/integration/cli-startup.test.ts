import { describe, expect, it } from 'vitest';
import { modulesLoadedBy } from '../support/loaded-modules.js';

/**
 * `relaycast` loads only what the command it runs uses (issue 16, item 5): an admin scripting it in a loop
 * should not pay for the worker, Redis, HTTP and ffmpeg libraries on every `--version` or `--help`.
 */

/** Libraries that only some actions need: none of them is loaded to parse a command line or print help. */
const ACTION_ONLY_PACKAGES = ['got', 'ioredis', 'zod', 'pino', 'cli-progress', 'prom-client'];

/** The modules that define the commands, by file name (`playback` defines next, now and history). */
const COMMAND_MODULES = ['start', 'relay', 'playlist', 'playlist-import', 'station', 'queue', 'playback', 'song', 'cache', 'setup', 'workers', 'icecast-config', 'web'];

/** The command modules among loaded sources (src/cli/commands/<name>.ts bundled, or tsc's dist/src/cli/commands/<name>.js). */
function commandModulesIn(sources: readonly string[]): string[] {
  const pattern = new RegExp(`(?:^|/)src/cli/commands/(${COMMAND_MODULES.join('|')})\\.[jt]s$`);
  return sources.flatMap((source) => pattern.exec(source)?.[1] ?? []);
}

const heavyIn = (packages: ReadonlySet<string>) => ACTION_ONLY_PACKAGES.filter((name) => packages.has(name));

describe('what the command line loads', () => {
  it('`relaycast --version` loads commander and no command module', async () => {
    const run = await modulesLoadedBy(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The hook saw the CLI: without this, the assertions below would pass on an empty list.
    expect(run.sources.some((source) => /(^|\/)src\/cli\/main\.[jt]s$/.test(source))).toBe(true);
    expect([...run.packages]).toEqual(['commander']);
    expect(commandModulesIn(run.sources)).toEqual([]);
  });

  it('`relaycast now --help` loads the playback commands only, and none of got, ioredis, zod, pino', async () => {
    const run = await modulesLoadedBy(['now', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: relaycast now');
    expect(heavyIn(run.packages)).toEqual([]);
    expect(new Set(commandModulesIn(run.sources))).toEqual(new Set(['playback']));
  });

  // `setup` is the exception: its module still imports the setup steps (and with them the store) at load time.
  it.each(['start', 'relay', 'playlist', 'station', 'queue', 'next', 'history', 'song', 'cache', 'workers', 'icecast-config', 'web'])(
    '`relaycast %s --help` loads no library that only its actions use',
    async (command) => {
      const run = await modulesLoadedBy([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: relaycast ${command}`);
      expect(heavyIn(run.packages)).toEqual([]);
    },
  );
});
