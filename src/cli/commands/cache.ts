import type { Command } from 'commander';
import type { CacheCounters } from '../../store/index.js';
import { describeLoudnessSummary } from '../format/loudness.js';
import { action, addQuietOption, examples, subcommand } from './command-kit.js';
import type { ConnectionFlags } from './options.js';
import { printJson, printLines } from './output.js';
import { editStore, withStore } from './session.js';

type Flags = ConnectionFlags & { json?: boolean; quiet?: boolean };

function hitRate(counters: CacheCounters): string {
  const lookups = counters.hits + counters.misses;
  return lookups === 0 ? '-' : `${Math.round((counters.hits / lookups) * 100)} %`;
}

export function registerCache(program: Command): void {
  const group = program
    .command('cache')
    .description("the worker's caches in Redis: song metadata, audio URLs, unplayable songs, measured loudness")
    .addHelpText('after', examples('relaycast cache stats', 'relaycast cache clear'));

  subcommand(group, 'stats', 'entries, hits and misses of each cache; the loudness of the songs measured', 'relaycast cache stats', 'relaycast cache stats --json')
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: Flags) => {
        const stats = await withStore(flags, (store) => store.caches.stats());
        if (flags.json) {
          printJson(stats);
          return;
        }
        const rows: [string, CacheCounters & { entries: number }][] = [
          ['song-meta', stats.songMeta],
          ['audio-url', stats.audioUrl],
          ['unplayable', stats.unplayable],
        ];
        printLines([
          'cache\tentries\thits\tmisses\thit rate',
          ...rows.map(([name, row]) => `${name}\t${row.entries}\t${row.hits}\t${row.misses}\t${hitRate(row)}`),
          '',
          describeLoudnessSummary(stats.loudness),
        ]);
      }),
    );

  addQuietOption(
    subcommand(
      group,
      'clear',
      'delete the caches and their counters (never playlists, stations, queues or history)',
      'relaycast cache clear',
    ),
  ).action(
    action(async (flags: Flags) => {
      await editStore(flags, (store) => store.caches.clear(), (deleted) => `deleted ${deleted} cache entr${deleted === 1 ? 'y' : 'ies'}`);
    }),
  );
}
