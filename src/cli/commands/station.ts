import type { Command } from 'commander';
import { describeFormat } from '../../audio/index.js';
import type { NewStation, PlayMode, Station, StationUpdate } from '../../store/index.js';
import { usageError } from '../cli-error.js';
import { action, addQuietOption, examples, subcommand } from './command-kit.js';
import { parseOnOff, parseWholeNumber } from './input.js';
import type { ConnectionFlags } from './options.js';
import { printJson, printLines } from './output.js';
import { editStore, withStore } from './session.js';

type CreateFlags = ConnectionFlags & {
  mount: string;
  playlist: string;
  mode?: string;
  repeat?: string;
  bitrate?: string;
  samplerate?: string;
  channels?: string;
  iceName?: string;
  iceDescription?: string;
  iceGenre?: string;
  quiet?: boolean;
  json?: boolean;
  now?: boolean;
};

/** `station set` keys, as admins type them, and what each changes. */
const SETTABLE: Record<string, (value: string) => StationUpdate> = {
  mount: (value) => ({ mount: value }),
  playlist: (value) => ({ playlist: value }),
  mode: (value) => ({ mode: parseMode(value) }),
  repeat: (value) => ({ repeat: parseOnOff(value, 'repeat') }),
  bitrate: (value) => ({ format: { bitrateKbps: parseWholeNumber(value, 'bitrate') } }),
  samplerate: (value) => ({ format: { sampleRate: parseWholeNumber(value, 'sample rate') } }),
  channels: (value) => ({ format: { channels: parseWholeNumber(value, 'channels') as 1 | 2 } }),
  'ice-name': (value) => ({ iceName: value }),
  'ice-description': (value) => ({ iceDescription: value }),
  'ice-genre': (value) => ({ iceGenre: value }),
};

function parseMode(value: string): PlayMode {
  if (value !== 'order' && value !== 'shuffle') throw usageError(`invalid mode ${JSON.stringify(value)}: expected order or shuffle`);
  return value;
}

/** key=value pairs merged into one update; a key given twice is a mistake. */
export function parseAssignments(assignments: readonly string[]): StationUpdate {
  let update: StationUpdate = {};
  const seen = new Set<string>();
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const key = equals < 0 ? assignment : assignment.slice(0, equals);
    const parse = SETTABLE[key];
    if (equals < 0 || !parse) {
      throw usageError(`invalid setting ${JSON.stringify(assignment)}: expected key=value with key one of ${Object.keys(SETTABLE).join(', ')}`);
    }
    if (seen.has(key)) throw usageError(`${key} is given twice`);
    seen.add(key);
    const change = parse(assignment.slice(equals + 1));
    update = { ...update, ...change, ...(change.format && { format: { ...update.format, ...change.format } }) };
  }
  return update;
}

function settingsOf(flags: CreateFlags): NewStation {
  const format = {
    ...(flags.bitrate !== undefined && { bitrateKbps: parseWholeNumber(flags.bitrate, 'bitrate') }),
    ...(flags.samplerate !== undefined && { sampleRate: parseWholeNumber(flags.samplerate, 'sample rate') }),
    ...(flags.channels !== undefined && { channels: parseWholeNumber(flags.channels, 'channels') as 1 | 2 }),
  };
  return {
    mount: flags.mount,
    playlist: flags.playlist,
    ...(flags.mode !== undefined && { mode: parseMode(flags.mode) }),
    ...(flags.repeat !== undefined && { repeat: parseOnOff(flags.repeat, 'repeat') }),
    ...(Object.keys(format).length > 0 && { format }),
    ...(flags.iceName !== undefined && { iceName: flags.iceName }),
    ...(flags.iceDescription !== undefined && { iceDescription: flags.iceDescription }),
    ...(flags.iceGenre !== undefined && { iceGenre: flags.iceGenre }),
  };
}

function describeStation(station: Station): string {
  return [
    station.name,
    station.mount,
    `playlist ${station.playlist}`,
    station.mode,
    `repeat ${station.repeat ? 'on' : 'off'}`,
    describeFormat(station.format),
  ].join('\t');
}

export function registerStation(program: Command): void {
  const group = program
    .command('station')
    .description('stations: a mount on Icecast playing a stored playlist')
    .addHelpText('after', examples('relaycast station create jazz --mount /jazz.mp3 --playlist evening --mode shuffle', 'relaycast station ls'));

  subcommand(group, 'ls', 'list stations and their settings', 'relaycast station ls', 'relaycast station ls --json')
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: CreateFlags) => {
        const stations = await withStore(flags, (store) => store.stations.list());
        if (flags.json) printJson(stations);
        else printLines(stations.map(describeStation));
      }),
    );

  addQuietOption(
    subcommand(
      group,
      'create <station>',
      'create a station (a worker started with `relaycast start` streams it)',
      'relaycast station create jazz --mount /jazz.mp3 --playlist evening',
      'relaycast station create talk --mount /talk.mp3 --playlist shows --mode order --repeat off --bitrate 64 --channels 1',
    ),
  )
    .requiredOption('--mount <mount>', 'Icecast mount, e.g. /jazz.mp3 (unique per station)')
    .requiredOption('--playlist <playlist>', 'stored playlist to play (must exist)')
    .option('--mode <mode>', 'order or shuffle (default order)')
    .option('--repeat <on|off>', 'start over after the end (default on)')
    .option('--bitrate <kbps>', 'MP3 bitrate in kb/s (default 128)')
    .option('--samplerate <hz>', '32000, 44100 or 48000 (default 44100)')
    .option('--channels <n>', '1 or 2 (default 2)')
    .option('--ice-name <text>', 'station name shown by Icecast and players')
    .option('--ice-description <text>', 'station description')
    .option('--ice-genre <text>', 'station genre')
    .action(
      action(async (flags: CreateFlags, name: string) => {
        const settings = settingsOf(flags);
        await editStore(
          flags,
          (store) => store.stations.create(name, settings),
          (station) => `created station ${describeStation(station)}`,
        );
      }),
    );

  addQuietOption(
    subcommand(
      group,
      'set <station> <key=value...>',
      `change settings: ${Object.keys(SETTABLE).join(', ')}`,
      'relaycast station set jazz mode=shuffle repeat=on',
      'relaycast station set jazz playlist=night --now',
      "relaycast station set jazz ice-name='Jazz FM' bitrate=192",
    ),
  )
    .option('--now', 'apply at once (the worker cuts the current song) instead of from the next song')
    .action(
      action(async (flags: CreateFlags, name: string, assignments: string[]) => {
        const update = parseAssignments(assignments);
        await editStore(
          flags,
          (store) => store.stations.update(name, update, { now: flags.now === true }),
          (station) => `updated station ${describeStation(station)}`,
        );
      }),
    );

  addQuietOption(
    subcommand(group, 'rm <station>', 'delete a station with its queue and history (not its playlist)', 'relaycast station rm jazz'),
  ).action(
    action(async (flags: CreateFlags, name: string) => {
      await editStore(flags, (store) => store.stations.remove(name), () => `removed station ${name}`);
    }),
  );
}
