import { spawn } from 'node:child_process';
import { DEFAULT_TICK_MS } from '../src/station/pacer.js';
import { trackChild, type Scope } from './scope.js';

/** Node's own floor on this machine: an empty process woken as often as the pacer. */
export const NODE_FLOOR_SCRIPT = `setInterval(() => {}, ${DEFAULT_TICK_MS})`;

/** `node -e NODE_FLOOR_SCRIPT`, killed with the scope; returns its pid. */
export function startNodeFloor(scope: Scope): number {
  const child = trackChild(spawn(process.execPath, ['-e', NODE_FLOOR_SCRIPT], { stdio: 'ignore' }));
  scope.add('node floor process', () => child.kill('SIGKILL'));
  return child.pid ?? -1;
}
