import type { Command } from 'commander';
import { registerStart } from './start.js';

/** Every command group registers itself here; one file per group under this folder. */
export function registerCommands(program: Command): void {
  registerStart(program);
}
