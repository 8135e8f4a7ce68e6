import type { Command } from 'commander';
import type { Fleet } from '../../store/index.js';
import { formatDuration } from '../format/time.js';
import { action, plural, subcommand } from './command-kit.js';
import type { ConnectionFlags } from './options.js';
import { printRead } from './output.js';
import { withStore } from './session.js';

type Flags = ConnectionFlags & { json?: boolean };

function describeFleet(fleet: Fleet): string[] {
  if (fleet.workers.length === 0) return ['no workers: start one with relaycast start', ...unownedLine(fleet)];
  const lines = fleet.workers.map(({ id, stations }) => {
    const held = stations.map((held) => `${held.station} (held ${formatDuration(held.heldMs)}, token ${held.token})`);
    return `${id}  ${stations.length === 0 ? 'no stations' : `${plural(stations.length, 'station')}: ${held.join(', ')}`}`;
  });
  return [...lines, ...unownedLine(fleet)];
}

function unownedLine(fleet: Fleet): string[] {
  return fleet.unowned.length === 0 ? [] : [`played by no worker: ${fleet.unowned.join(', ')}`];
}

export function registerWorkers(program: Command): void {
  subcommand(program, 'workers', 'the running workers, the stations each plays and for how long', 'relaycast workers', 'relaycast workers --json')
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: Flags) => {
        printRead(flags, await withStore(flags, (store) => store.leases.fleet()), describeFleet);
      }),
    );
}
