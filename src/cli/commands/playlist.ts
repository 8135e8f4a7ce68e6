import type { Command } from 'commander';
import { writeM3u } from '../../m3u/index.js';
import { validateName } from '../../store/validate.js';
import { compileFormat } from '../format/song-format.js';
import { parsePosition, parsePositions, refsFromArgs } from './input.js';
import { action, addQuietOption, examples, plural, subcommand } from './command-kit.js';
import type { ConnectionFlags } from './options.js';
import { printRead } from './output.js';
import { registerPlaylistImport } from './playlist-import.js';
import { editStore, withStore } from './session.js';
import { addListOptions, printSongs, rangeOf, type ListFlags } from './song-list.js';

type Flags = ConnectionFlags & ListFlags & { quiet?: boolean };

export function registerPlaylist(program: Command): void {
  const group = program
    .command('playlist')
    .description('stored playlists: list, edit, import from a music service or M3U, export')
    .addHelpText('after', examples('relaycast playlist ls', 'relaycast playlist add evening netease:186016 qq:0039MnYb0qxYhV'));

  subcommand(group, 'ls', 'list stored playlists with their length', 'relaycast playlist ls', 'relaycast playlist ls --json')
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: Flags) => {
        const playlists = await withStore(flags, (store) => store.playlists.list());
        printRead(flags, playlists, (listed) => listed.map((playlist) => `${playlist.name}\t${plural(playlist.length)}`));
      }),
    );

  addListOptions(
    subcommand(
      group,
      'show <playlist>',
      'print the songs of a playlist',
      'relaycast playlist show evening',
      'relaycast playlist show evening --range 0:10',
      "relaycast playlist show evening -f '%position% %artist% - %title% (%time%)'",
      'relaycast playlist show evening --json',
    ),
  ).action(
    action(async (flags: Flags, name: string) => {
      const range = rangeOf(flags);
      if (flags.format) compileFormat(flags.format);
      await withStore(flags, async (store) => {
        const refs = await store.playlists.get(name, range);
        await printSongs(store, refs, flags, range?.start ?? 0, (list) => ({ name, songs: list }));
      });
    }),
  );

  addQuietOption(subcommand(group, 'create <playlist>', 'create an empty playlist', 'relaycast playlist create evening')).action(
    action(async (flags: Flags, name: string) => {
      await editStore(flags, (store) => store.playlists.create(name), () => `created playlist ${name}`);
    }),
  );

  addQuietOption(
    subcommand(group, 'rm <playlist>', 'delete a playlist (refused while a station plays it)', 'relaycast playlist rm old-mix'),
  ).action(
    action(async (flags: Flags, name: string) => {
      await editStore(flags, (store) => store.playlists.remove(name), (count) => `removed playlist ${name} (${plural(count)})`);
    }),
  );

  addQuietOption(
    subcommand(group, 'rename <playlist> <new-name>', 'rename a playlist; stations playing it follow', 'relaycast playlist rename evening night'),
  ).action(
    action(async (flags: Flags, name: string, newName: string) => {
      await editStore(
        flags,
        (store) => store.playlists.rename(name, newName),
        (moved) => `renamed playlist ${name} to ${newName}${moved > 0 ? ` (${moved} station(s) follow)` : ''}`,
      );
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'add <playlist> <ref...>',
      'append songs (refs, or - to read one ref per line from stdin)',
      'relaycast playlist add evening netease:186016 qq:0039MnYb0qxYhV local:jazz/take-five.mp3',
      'relaycast playlist export morning | relaycast playlist add evening -',
    ),
  ).action(
    action(async (flags: Flags, name: string, refArgs: string[]) => {
      validateName('playlist', name);
      const refs = await refsFromArgs(refArgs);
      await editStore(
        flags,
        (store) => store.playlists.add(name, refs),
        (length) => `added ${plural(refs.length)} to ${name} (${plural(length)})`,
      );
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'insert <playlist> <position> <ref...>',
      'insert songs so the first lands at <position> (1 = the top; length+1 = the end)',
      'relaycast playlist insert evening 1 netease:186016',
      'cat picks.txt | relaycast playlist insert evening 5 -',
    ),
  ).action(
    action(async (flags: Flags, name: string, positionText: string, refArgs: string[]) => {
      validateName('playlist', name);
      const position = parsePosition(positionText);
      const refs = await refsFromArgs(refArgs);
      await editStore(
        flags,
        (store) => store.playlists.insert(name, position, refs),
        (length) => `inserted ${plural(refs.length)} into ${name} at ${position} (${plural(length)})`,
      );
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'del <playlist> <position...>',
      'delete songs by position (1-based; ranges like 3-7); all positions are checked first',
      'relaycast playlist del evening 3',
      'relaycast playlist del evening 1 4 10-12',
    ),
  ).action(
    action(async (flags: Flags, name: string, positionArgs: string[]) => {
      validateName('playlist', name);
      const positions = parsePositions(positionArgs);
      await editStore(flags, (store) => store.playlists.delete(name, positions), (removed) => `deleted ${plural(removed)} from ${name}`);
    }),
  );

  addQuietOption(
    subcommand(group, 'move <playlist> <from> <to>', 'move the song at <from> to <to> (1-based)', 'relaycast playlist move evening 7 1'),
  ).action(
    action(async (flags: Flags, name: string, fromText: string, toText: string) => {
      validateName('playlist', name);
      const from = parsePosition(fromText, 'from position');
      const to = parsePosition(toText, 'to position');
      await editStore(flags, (store) => store.playlists.move(name, from, to), () => `moved ${name} ${from} to ${to}`);
    }),
  );

  addQuietOption(subcommand(group, 'clear <playlist>', 'remove every song; the playlist stays', 'relaycast playlist clear evening')).action(
    action(async (flags: Flags, name: string) => {
      await editStore(flags, (store) => store.playlists.clear(name), (removed) => `cleared ${name} (${plural(removed)} removed)`);
    }),
  );

  addQuietOption(
    subcommand(
      group,
      'shuffle <playlist>',
      'reorder the stored playlist at random, for good (a station in shuffle mode leaves it as it is)',
      'relaycast playlist shuffle evening',
    ),
  ).action(
    action(async (flags: Flags, name: string) => {
      await editStore(flags, (store) => store.playlists.shuffle(name), () => `shuffled ${name}`);
    }),
  );

  registerPlaylistImport(group);

  subcommand(
    group,
    'export <playlist>',
    'write the playlist as M3U (#EXTM3U, #EXTINF:<seconds>,<artist> - <title>, ref) to stdout',
    'relaycast playlist export evening > evening.m3u8',
    'relaycast playlist export evening | relaycast playlist import copy -',
  ).action(
    action(async (flags: Flags, name: string) => {
      await withStore(flags, async (store) => {
        const refs = await store.playlists.get(name);
        const metas = await store.caches.getSongMetas(refs);
        process.stdout.write(writeM3u(refs.map((ref) => ({ ref, ...metas.get(ref) }))));
      });
    }),
  );
}
