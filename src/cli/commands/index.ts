import type { Command } from 'commander';
import { registerCache } from './cache.js';
import { registerPlayback } from './playback.js';
import { registerPlaylist } from './playlist.js';
import { registerQueue } from './queue.js';
import { registerSong } from './song.js';
import { registerRelay } from './relay.js';
import { registerStart } from './start.js';
import { registerStation } from './station.js';

/** Every command group registers itself here; one file per group under this folder. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerRelay(program);
  registerPlaylist(program);
  registerStation(program);
  registerQueue(program);
  registerPlayback(program);
  registerSong(program);
  registerCache(program);
}
