import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Each top-level command and the module that defines it. Only the module of the command being run is
 * loaded: a worker's start-up (and so the time until its mounts are up) does not pay for loading every
 * other command's dependencies, and each module loads its heavy libraries (Redis, HTTP, ffmpeg, the
 * logger) only in its actions. `--version` loads none; help and unknown commands load them all.
 */
const COMMAND_MODULES: Readonly<Record<string, () => Promise<Register>>> = {
  start: async () => (await import('./start.js')).registerStart,
  relay: async () => (await import('./relay.js')).registerRelay,
  playlist: async () => (await import('./playlist.js')).registerPlaylist,
  station: async () => (await import('./station.js')).registerStation,
  queue: async () => (await import('./queue.js')).registerQueue,
  next: async () => (await import('./playback.js')).registerPlayback,
  now: async () => (await import('./playback.js')).registerPlayback,
  history: async () => (await import('./playback.js')).registerPlayback,
  song: async () => (await import('./song.js')).registerSong,
  cache: async () => (await import('./cache.js')).registerCache,
  setup: async () => (await import('./setup.js')).registerSetup,
  workers: async () => (await import('./workers.js')).registerWorkers,
  'icecast-config': async () => (await import('./icecast-config.js')).registerIcecastConfig,
  web: async () => (await import('./web.js')).registerWeb,
};

const VERSION_FLAGS = ['-V', '--version'];

/** The command modules `argv` needs: its command's, none for `--version` alone, else all of them (help). */
function loadersFor(argv: readonly string[]): (() => Promise<Register>)[] {
  const args = argv.slice(2);
  const name = args.find((arg) => !arg.startsWith('-'));
  if (name === undefined) return args.some((arg) => VERSION_FLAGS.includes(arg)) ? [] : Object.values(COMMAND_MODULES);
  const load = COMMAND_MODULES[name];
  return load ? [load] : Object.values(COMMAND_MODULES);
}

export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const registers = new Set(await Promise.all(loadersFor(argv).map((loader) => loader())));
  for (const register of registers) register(program);
}
