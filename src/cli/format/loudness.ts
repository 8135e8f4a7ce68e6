import { describeLoudness, gainSteps, TRUE_PEAK_CEILING_DB, type SongLoudness } from '../../audio/loudness.js';
import { GAIN_STEP_DB } from '../../audio/mp3-gain.js';
import type { LoudnessSummary, Station } from '../../store/types.js';

/** Station names listed per gain line; the rest are counted, so a fleet of 200 stations stays one line per target. */
const MAX_STATIONS_NAMED = 5;

type StationTarget = Pick<Station, 'name' | 'loudness'>;

/** What a station does to the song's level: the gain its target gives, and the raise the true peak held back. */
interface StationGain {
  readonly station: string;
  readonly targetLufs: number | null;
  readonly gainDb: number;
  /** The gain the target alone asks for; more than gainDb when the song's true peak leaves no room for it. */
  readonly wantedGainDb: number;
}

function gainsOf(loudness: SongLoudness, stations: readonly StationTarget[]): StationGain[] {
  // The same rule the worker applies (gainSteps); without the peak it gives the raise the target asks for.
  const unlimited = { integratedLufs: loudness.integratedLufs, truePeakDb: -Infinity };
  return stations.map((station) => ({
    station: station.name,
    targetLufs: station.loudness,
    gainDb: gainSteps(station.loudness, loudness) * GAIN_STEP_DB,
    wantedGainDb: gainSteps(station.loudness, unlimited) * GAIN_STEP_DB,
  }));
}

/** `+1.5 dB`, `-3.0 dB`, `0 dB`. */
function signedDb(db: number): string {
  return db === 0 ? '0 dB' : `${db > 0 ? '+' : ''}${db.toFixed(1)} dB`;
}

function named(stations: readonly string[]): string {
  const shown = stations.slice(0, MAX_STATIONS_NAMED).join(', ');
  return stations.length > MAX_STATIONS_NAMED ? `${shown} and ${stations.length - MAX_STATIONS_NAMED} more` : shown;
}

/** One line per target (stations with the same target apply the same gain), in the order of `stations`. */
function gainLines(gains: readonly StationGain[]): string[] {
  const byTarget = new Map<number | null, StationGain[]>();
  for (const gain of gains) {
    const group = byTarget.get(gain.targetLufs);
    if (group) group.push(gain);
    else byTarget.set(gain.targetLufs, [gain]);
  }
  return [...byTarget.values()].map((group) => {
    const { targetLufs, gainDb, wantedGainDb } = group[0]!;
    const who = named(group.map((gain) => gain.station));
    if (targetLufs === null) return `none, loudness off (${who})`;
    const held = wantedGainDb > gainDb ? `; ${signedDb(wantedGainDb)} wanted, held back to keep the true peak at most ${TRUE_PEAK_CEILING_DB} dBTP` : '';
    return `${signedDb(gainDb)} for the target ${targetLufs} LUFS (${who})${held}`;
  });
}

/**
 * The loudness lines of `relaycast song`: the figures a worker measured, and the gain each station's target
 * applies to them, or that the song is not measured yet.
 */
export function describeSongLoudness(loudness: SongLoudness | null, stations: readonly StationTarget[]): string[] {
  if (!loudness) return ['  loudness: not measured yet (a worker measures a song when it transcodes it into its cache)'];
  const lines = gainLines(gainsOf(loudness, stations));
  return [`  loudness: ${describeLoudness(loudness)}`, ...lines.map((line, index) => `${index === 0 ? '  gain:     ' : '            '}${line}`)];
}

/** The documented `--json` form: `measured`, the figures (a true peak of -inf is null) and each station's gain. */
export function songLoudnessJson(loudness: SongLoudness | null, stations: readonly StationTarget[]): object {
  if (!loudness) return { measured: false };
  return {
    measured: true,
    integratedLufs: loudness.integratedLufs,
    truePeakDb: Number.isFinite(loudness.truePeakDb) ? loudness.truePeakDb : null,
    stations: gainsOf(loudness, stations).map(({ station, targetLufs, gainDb }) => ({ station, targetLufs, gainDb })),
  };
}

/** The loudness line of `relaycast cache stats`. */
export function describeLoudnessSummary(summary: LoudnessSummary): string {
  const { measured, minLufs, medianLufs, maxLufs, maxTruePeakDb } = summary;
  if (measured === 0 || minLufs === null || medianLufs === null || maxLufs === null) return 'loudness: no song measured yet';
  const peak = maxTruePeakDb === null ? '' : `, highest true peak ${maxTruePeakDb.toFixed(1)} dBTP`;
  return `loudness: ${measured} song${measured === 1 ? '' : 's'} measured, ${minLufs.toFixed(1)} to ${maxLufs.toFixed(1)} LUFS (spread ${(maxLufs - minLufs).toFixed(1)} LU, median ${medianLufs.toFixed(1)} LUFS)${peak}`;
}
