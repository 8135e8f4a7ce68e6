import type { Command } from 'commander';
import type { Fleet, FleetWorker } from '../../store/index.js';
import { formatDuration } from '../format/time.js';
import { action, plural, subcommand } from './command-kit.js';
import type { ConnectionFlags } from './options.js';
import { printRead } from './output.js';
import { withStore } from './session.js';

type Flags = ConnectionFlags & { json?: boolean };

function describeWorker({ id, role, live, stations, fallbacks }: FleetWorker): string {
  const held = stations.map((held) => `${held.station} (held ${formatDuration(held.heldMs)}, token ${held.token})`);
  const plays = role === 'fallback' ? 'fallback only' : stations.length === 0 ? 'no stations' : `${plural(stations.length, 'station')}: ${held.join(', ')}`;
  const feeds = fallbacks.length === 0 ? '' : `; feeds the fallback of ${fallbacks.join(', ')}`;
  return `${id}${live ? '' : ' (gone: its leases are running out)'}  ${plays}${feeds}`;
}

function describeFleet(fleet: Fleet): string[] {
  const gaps = [
    ...(fleet.unowned.length === 0 ? [] : [`played by no worker: ${fleet.unowned.join(', ')}`]),
    ...(fleet.unfedFallbacks.length === 0 ? [] : [`fallback fed by no worker: ${fleet.unfedFallbacks.join(', ')}`]),
  ];
  if (fleet.workers.length === 0) return ['no workers: start one with relaycast start', ...gaps];
  return [...fleet.workers.map(describeWorker), ...gaps];
}

export function registerWorkers(program: Command): void {
  subcommand(program, 'workers', 'the running workers, the stations each plays (and for how long) and the fallbacks each feeds', 'relaycast workers', 'relaycast workers --json')
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: Flags) => {
        printRead(flags, await withStore(flags, (store) => store.leases.fleet()), describeFleet);
      }),
    );
}
