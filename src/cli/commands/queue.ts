import type { Command } from 'commander';
import { validateName } from '../../store/validate.js';
import { usageError } from '../cli-error.js';
import { compileFormat } from '../format/song-format.js';
import { action, addQuietOption, examples, plural, subcommand } from './command-kit.js';
import { parsePositions, refsFromArgs } from './input.js';
import { addRedisOption, type ConnectionFlags } from './options.js';
import { editStore, withStore } from './session.js';
import { addListOptions, printSongs, rangeOf, type ListFlags } from './song-list.js';

type Flags = ConnectionFlags & ListFlags & { quiet?: boolean; now?: boolean };

async function showQueue(station: string, flags: Flags): Promise<void> {
  const range = rangeOf(flags);
  if (flags.format) compileFormat(flags.format);
  await withStore(flags, async (store) => {
    const refs = await store.queue.get(station, range);
    await printSongs(store, refs, flags, range?.start ?? 0, (songs) => ({ station, songs }));
  });
}

/**
 * `relaycast queue <station>` shows the queue and `relaycast queue add|insert|del|clear|show <station>`
 * edit it: commander runs the group's own action when the first word is not a subcommand. (A station
 * named like a subcommand is shown with `queue show <station>`.)
 */
export function registerQueue(program: Command): void {
  const group = addListOptions(addRedisOption(program.command('queue')))
    .argument('[station]', 'station whose queue to show')
    .description('the per-station queue: songs that play before the playlist continues')
    .addHelpText(
      'after',
      examples(
        'relaycast queue jazz',
        'relaycast queue jazz --json',
        'relaycast queue add jazz netease:186016',
        'relaycast queue insert jazz qq:0039MnYb0qxYhV --now',
        'relaycast queue del jazz 2',
      ),
    )
    .action(
      action(async (flags: Flags, station: string | undefined) => {
        if (station === undefined) throw usageError('missing station: relaycast queue <station> (see relaycast queue --help)');
        await showQueue(station, flags);
      }),
    );

  addListOptions(subcommand(group, 'show <station>', 'print the queue, next song first', 'relaycast queue show jazz --range 0:5')).action(
    action(async (flags: Flags, station: string) => {
      await showQueue(station, flags);
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'add <station> <ref...>',
      'append songs to the queue (refs, or - for one ref per line on stdin)',
      'relaycast queue add jazz netease:186016 local:jazz/so-what.flac',
      'relaycast playlist export picks | relaycast queue add jazz -',
    ),
  ).action(
    action(async (flags: Flags, station: string, refArgs: string[]) => {
      validateName('station', station);
      const refs = await refsFromArgs(refArgs);
      await editStore(
        flags,
        (store) => store.queue.add(station, refs),
        (length) => `queued ${plural(refs.length)} on ${station} (${plural(length)} in the queue)`,
      );
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'insert <station> <ref...>',
      'put songs at the head of the queue, in the given order: they play next',
      'relaycast queue insert jazz netease:186016',
      'relaycast queue insert jazz qq:0039MnYb0qxYhV --now',
    ),
  )
    .option('--now', 'cut the current song and play the first of them at once')
    .action(
      action(async (flags: Flags, station: string, refArgs: string[]) => {
        validateName('station', station);
        const refs = await refsFromArgs(refArgs);
        await editStore(
          flags,
          (store) => store.queue.addNext(station, refs, { now: flags.now === true }),
          (length) => `${plural(refs.length)} play next on ${station}${flags.now ? ' (now)' : ''} (${plural(length)} in the queue)`,
        );
      }),
    );

  addQuietOption(
    subcommand(
      group,
      'del <station> <position...>',
      'remove queued songs by position (1 = next; ranges like 2-4)',
      'relaycast queue del jazz 1',
      'relaycast queue del jazz 2-4 7',
    ),
  ).action(
    action(async (flags: Flags, station: string, positionArgs: string[]) => {
      validateName('station', station);
      const positions = parsePositions(positionArgs);
      await editStore(
        flags,
        (store) => store.queue.remove(station, positions),
        (removed) => `removed ${plural(removed)} from the queue of ${station}`,
      );
    }),
  );

  addQuietOption(subcommand(group, 'clear <station>', 'empty the queue', 'relaycast queue clear jazz')).action(
    action(async (flags: Flags, station: string) => {
      await editStore(
        flags,
        (store) => store.queue.clear(station),
        (removed) => `cleared the queue of ${station} (${plural(removed)} removed)`,
      );
    }),
  );
}
