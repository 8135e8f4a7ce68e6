import { DEFAULT_STREAM_FORMAT, type StreamFormat } from '../audio/format.js';
import { DEFAULT_LOUDNESS_TARGET_LUFS, loudnessTargetProblem } from '../audio/loudness.js';
import { quoteInput } from '../errors.js';
import { crossfadeProblem, DEFAULT_CROSSFADE_SECONDS } from '../station-rules/index.js';
import { asNumber, execAtomic, runMutation, type StoreContext } from './context.js';
import { NotFoundError } from './errors.js';
import { keys, stationKeys } from './keys.js';
import { createStationScript, removeStationScript, skipScript, updateStationScript } from './lua/station-scripts.js';
import type { NewStation, PlayMode, Station, StationUpdate } from './types.js';
import { validateName, validateStationSettings } from './validate.js';

export const STATION_DEFAULTS = Object.freeze({
  mode: 'order' as PlayMode,
  repeat: true,
  match: true,
  loudness: DEFAULT_LOUDNESS_TARGET_LUFS as number | null,
  crossfade: DEFAULT_CROSSFADE_SECONDS,
  format: DEFAULT_STREAM_FORMAT,
  iceName: '',
  iceDescription: '',
  iceGenre: '',
});

/** Station hash fields, flat: Lua and redis-cli users see plain strings. */
function toFields(update: StationUpdate): string[] {
  const fields: [string, string | number | undefined][] = [
    ['mount', update.mount],
    ['playlist', update.playlist],
    ['mode', update.mode],
    ['repeat', update.repeat === undefined ? undefined : update.repeat ? '1' : '0'],
    ['match', update.match === undefined ? undefined : update.match ? '1' : '0'],
    ['loudness', update.loudness === undefined ? undefined : update.loudness === null ? 'off' : update.loudness],
    ['crossfade', update.crossfade],
    ['bitrateKbps', update.format?.bitrateKbps],
    ['sampleRate', update.format?.sampleRate],
    ['channels', update.format?.channels],
    ['iceName', update.iceName],
    ['iceDescription', update.iceDescription],
    ['iceGenre', update.iceGenre],
  ];
  return fields.filter(([, value]) => value !== undefined).flatMap(([field, value]) => [field, String(value)]);
}

function fromHash(name: string, hash: Record<string, string>): Station {
  const number = (value: string | undefined, fallback: number) => {
    const parsed = Number(value);
    return value !== undefined && Number.isFinite(parsed) ? parsed : fallback;
  };
  const format: StreamFormat = {
    bitrateKbps: number(hash.bitrateKbps, DEFAULT_STREAM_FORMAT.bitrateKbps),
    sampleRate: number(hash.sampleRate, DEFAULT_STREAM_FORMAT.sampleRate),
    channels: hash.channels === '1' ? 1 : 2,
  };
  return {
    name,
    mount: hash.mount ?? '',
    playlist: hash.playlist ?? '',
    mode: hash.mode === 'shuffle' ? 'shuffle' : 'order',
    repeat: hash.repeat !== '0',
    // Stations stored before the setting existed have no field: they keep matching, the default.
    match: hash.match !== '0',
    loudness: storedLoudness(hash.loudness),
    crossfade: storedCrossfade(hash.crossfade),
    format,
    iceName: hash.iceName ?? '',
    iceDescription: hash.iceDescription ?? '',
    iceGenre: hash.iceGenre ?? '',
  };
}

/** `off`, a target, or (absent: stored before the setting existed; or edited by hand into nonsense) the default. */
function storedLoudness(field: string | undefined): number | null {
  if (field === 'off') return null;
  const target = Number(field);
  return field !== undefined && field !== '' && loudnessTargetProblem(target) === undefined ? target : DEFAULT_LOUDNESS_TARGET_LUFS;
}

/** Seconds, or (absent: stored before the setting existed; or edited by hand into nonsense) none. */
function storedCrossfade(field: string | undefined): number {
  const seconds = Number(field);
  return field !== undefined && field !== '' && crossfadeProblem(seconds) === undefined ? seconds : DEFAULT_CROSSFADE_SECONDS;
}

export async function listStations(ctx: StoreContext): Promise<Station[]> {
  const names = (await execAtomic((m) => m.smembers(keys.stations), ctx))[0] as string[];
  names.sort();
  if (names.length === 0) return [];
  const hashes = await execAtomic((m) => names.reduce((multi, name) => multi.hgetall(keys.station(name)), m), ctx);
  return names.map((name, i) => fromHash(name, hashes[i] as Record<string, string>));
}

export async function getStation(ctx: StoreContext, name: string): Promise<Station> {
  validateName('station', name);
  const [member, hash] = await execAtomic((m) => m.sismember(keys.stations, name).hgetall(keys.station(name)), ctx);
  if (asNumber(member) === 0) throw new NotFoundError(`station ${quoteInput(name)} does not exist`);
  return fromHash(name, hash as Record<string, string>);
}

export async function createStation(ctx: StoreContext, name: string, settings: NewStation): Promise<Station> {
  validateName('station', name);
  validateStationSettings(settings);
  const full = {
    ...STATION_DEFAULTS,
    ...settings,
    format: { ...STATION_DEFAULTS.format, ...settings.format },
  };
  await runMutation(
    ctx,
    createStationScript,
    [keys.stations, keys.station(name), keys.mounts, keys.playlists],
    [name, ...toFields(full)],
  );
  return fromHash(name, Object.fromEntries(pairs(toFields(full))));
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/**
 * Changes some settings. `now` asks the worker to apply them at once rather than from the next song.
 * A new playlist starts from its beginning.
 */
export async function updateStation(
  ctx: StoreContext,
  name: string,
  update: StationUpdate,
  options: { now?: boolean } = {},
): Promise<Station> {
  validateName('station', name);
  validateStationSettings(update);
  await runMutation(
    ctx,
    updateStationScript,
    [keys.stations, keys.station(name), keys.mounts, keys.playlists, keys.cursor(name), keys.shuffleOrder(name), keys.shufflePlayed(name)],
    [name, options.now ? '1' : '0', ...toFields(update)],
  );
  return getStation(ctx, name);
}

/** Removes the station with its queue, now playing, history and play state. */
export async function removeStation(ctx: StoreContext, name: string): Promise<void> {
  validateName('station', name);
  await runMutation(ctx, removeStationScript, [keys.stations, keys.mounts, ...stationKeys(name)], [name]);
}

/** Publishes a skip for the running worker; returns how many subscribers received it. */
export async function skipSong(ctx: StoreContext, name: string): Promise<number> {
  validateName('station', name);
  return asNumber(await runMutation(ctx, skipScript, [keys.stations], [name]));
}
