import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Each top-level command and the module that defines it. Only the module of the command being run is
 * loaded: a worker's start-up (and so the time until its mounts are up) does not pay for loading every
 * other command's dependencies. Help and unknown commands load them all.
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

export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const load = name === undefined ? undefined : COMMAND_MODULES[name];
  const loaders = load ? [load] : Object.values(COMMAND_MODULES);
  const registers = new Set(await Promise.all(loaders.map((loader) => loader())));
  for (const register of registers) register(program);
}
