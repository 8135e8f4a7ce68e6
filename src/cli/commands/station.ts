import type { Command } from 'commander';
import { DEFAULT_STREAM_FORMAT, describeFormat, STREAM_CHANNELS, type StreamFormat } from '../../audio/format.js';
import { DEFAULT_LOUDNESS_TARGET_LUFS, LOUDNESS_TARGET_RANGE, loudnessTargetProblem } from '../../audio/loudness.js';
import { MPEG1_SAMPLE_RATES } from '../../audio/mpeg1.js';
import { CROSSFADE_RANGE, crossfadeProblem } from '../../station-rules/crossfade.js';
import { STATION_DEFAULTS } from '../../store/stations.js';
import type { NewStation, PlayMode, Station, StationUpdate } from '../../store/types.js';
import { PLAY_MODES, playModeProblem } from '../../store/validate.js';
import { usageError } from '../cli-error.js';
import { action, addQuietOption, examples, subcommand } from './command-kit.js';
import { parseOnOff, parseWholeNumber } from './input.js';
import type { ConnectionFlags } from './options.js';
import { printRead } from './output.js';
import { editStore, withStore } from './session.js';

type CreateFlags = ConnectionFlags & {
  mount: string;
  playlist: string;
  mode?: string;
  repeat?: string;
  match?: string;
  loudness?: string;
  crossfade?: string;
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

/** The format fields an admin types (`--bitrate 192`, `bitrate=192`), each a whole number the store then checks. */
const FORMAT_FIELDS = {
  bitrate: (value: string) => ({ bitrateKbps: parseWholeNumber(value, 'bitrate') }),
  samplerate: (value: string) => ({ sampleRate: parseWholeNumber(value, 'sample rate') }),
  channels: (value: string) => ({ channels: parseWholeNumber(value, 'channels') as StreamFormat['channels'] }),
} satisfies Record<string, (value: string) => Partial<StreamFormat>>;

/** The store's mode rule, applied before connecting so a typo is bad usage, not a failed edit. */
function parseMode(value: string): PlayMode {
  const problem = playModeProblem(value);
  if (problem !== undefined) throw usageError(problem);
  return value as PlayMode;
}

/** `off`, or a target in LUFS (`-16`, `-14.5`) within LOUDNESS_TARGET_RANGE; anything else is bad usage. */
function parseLoudness(value: string): number | null {
  if (value.toLowerCase() === 'off') return null;
  const target = /^[-+]?\d{1,3}(\.\d{1,2})?$/.test(value) ? Number(value) : NaN;
  const problem = loudnessTargetProblem(target);
  if (problem !== undefined) throw usageError(`invalid loudness ${JSON.stringify(value)}: expected a target in LUFS from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max} (e.g. ${DEFAULT_LOUDNESS_TARGET_LUFS}) or off`);
  return target;
}

function describeLoudnessTarget(target: number | null): string {
  return target === null ? 'loudness off' : `loudness ${target} LUFS`;
}

/** Seconds (`4`, `2.5`, `0` or `off` for none) within CROSSFADE_RANGE; anything else is bad usage. */
function parseCrossfade(value: string): number {
  if (value.toLowerCase() === 'off') return 0;
  const seconds = /^\d{1,2}(\.\d{1,2})?$/.test(value) ? Number(value) : NaN;
  if (crossfadeProblem(seconds) !== undefined) {
    throw usageError(`invalid crossfade ${JSON.stringify(value)}: expected seconds from ${CROSSFADE_RANGE.min} to ${CROSSFADE_RANGE.max}, e.g. 4 (0 or off = none)`);
  }
  return seconds;
}

export function describeCrossfade(seconds: number): string {
  return seconds === 0 ? 'crossfade off' : `crossfade ${seconds} s`;
}

/** `station set` keys, as admins type them, and what each changes. */
const SETTABLE: Record<string, (value: string) => StationUpdate> = {
  mount: (value) => ({ mount: value }),
  playlist: (value) => ({ playlist: value }),
  mode: (value) => ({ mode: parseMode(value) }),
  repeat: (value) => ({ repeat: parseOnOff(value, 'repeat') }),
  match: (value) => ({ match: parseOnOff(value, 'match') }),
  loudness: (value) => ({ loudness: parseLoudness(value) }),
  crossfade: (value) => ({ crossfade: parseCrossfade(value) }),
  bitrate: (value) => ({ format: FORMAT_FIELDS.bitrate(value) }),
  samplerate: (value) => ({ format: FORMAT_FIELDS.samplerate(value) }),
  channels: (value) => ({ format: FORMAT_FIELDS.channels(value) }),
  'ice-name': (value) => ({ iceName: value }),
  'ice-description': (value) => ({ iceDescription: value }),
  'ice-genre': (value) => ({ iceGenre: value }),
};

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
    ...(flags.bitrate !== undefined && FORMAT_FIELDS.bitrate(flags.bitrate)),
    ...(flags.samplerate !== undefined && FORMAT_FIELDS.samplerate(flags.samplerate)),
    ...(flags.channels !== undefined && FORMAT_FIELDS.channels(flags.channels)),
  };
  return {
    mount: flags.mount,
    playlist: flags.playlist,
    ...(flags.mode !== undefined && { mode: parseMode(flags.mode) }),
    ...(flags.repeat !== undefined && { repeat: parseOnOff(flags.repeat, 'repeat') }),
    ...(flags.match !== undefined && { match: parseOnOff(flags.match, 'match') }),
    ...(flags.loudness !== undefined && { loudness: parseLoudness(flags.loudness) }),
    ...(flags.crossfade !== undefined && { crossfade: parseCrossfade(flags.crossfade) }),
    ...(Object.keys(format).length > 0 && { format }),
    ...(flags.iceName !== undefined && { iceName: flags.iceName }),
    ...(flags.iceDescription !== undefined && { iceDescription: flags.iceDescription }),
    ...(flags.iceGenre !== undefined && { iceGenre: flags.iceGenre }),
  };
}

/** "a, b or c", as help texts list choices. */
function orList(choices: readonly (string | number)[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

function describeStation(station: Station): string {
  return [
    station.name,
    station.mount,
    `playlist ${station.playlist}`,
    station.mode,
    `repeat ${station.repeat ? 'on' : 'off'}`,
    `match ${station.match ? 'on' : 'off'}`,
    describeLoudnessTarget(station.loudness),
    describeCrossfade(station.crossfade),
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
        printRead(flags, await withStore(flags, (store) => store.stations.list()), (stations) => stations.map(describeStation));
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
    .option('--mode <mode>', `${orList(PLAY_MODES)} (default ${STATION_DEFAULTS.mode})`)
    .option('--repeat <on|off>', `start over after the end (default ${STATION_DEFAULTS.repeat ? 'on' : 'off'})`)
    .option(
      '--match <on|off>',
      `play a song its provider refuses from the other provider when the relay finds it there (default ${STATION_DEFAULTS.match ? 'on' : 'off'})`,
    )
    .option(
      '--loudness <lufs|off>',
      `bring every song to this loudness, ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max} LUFS, or off (default ${DEFAULT_LOUDNESS_TARGET_LUFS})`,
    )
    .option('--crossfade <seconds>', `overlap songs by this many seconds at each join, ${CROSSFADE_RANGE.min} to ${CROSSFADE_RANGE.max} (default 0: gapless joins)`)
    .option('--bitrate <kbps>', `MP3 bitrate in kb/s (default ${DEFAULT_STREAM_FORMAT.bitrateKbps})`)
    .option('--samplerate <hz>', `${orList(MPEG1_SAMPLE_RATES)} (default ${DEFAULT_STREAM_FORMAT.sampleRate})`)
    .option('--channels <n>', `${orList(STREAM_CHANNELS)} (default ${DEFAULT_STREAM_FORMAT.channels})`)
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
      'relaycast station set jazz match=off',
      'relaycast station set jazz loudness=-14',
      'relaycast station set talk loudness=off',
      'relaycast station set jazz loudness=-16 crossfade=4',
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
