import type { Command } from 'commander';
import { displayTitle } from '../../song-title.js';
import type { Fleet, NextSong, PlayedSong, SongMeta, Station, Store } from '../../store/index.js';
import { compileFormat } from '../format/song-format.js';
import { formatClock, formatDuration, progressBar } from '../format/time.js';
import { action, subcommand } from './command-kit.js';
import { fetchListeners } from './icecast-status.js';
import { addIcecastOption, icecastUrlOf, type ConnectionFlags } from './options.js';
import { note, printJson, printLines, songFields, songFormat } from './output.js';
import { withStore } from './session.js';
import { addListOptions, rangeOf, type ListFlags } from './song-list.js';

type Flags = ConnectionFlags & ListFlags;

/**
 * A recorded song this long past its duration is over: the worker that recorded it stopped before it could
 * record the end (killed, or Redis away). Past a few seconds of pacing lead, the station is not playing it.
 */
const FINISHED_AFTER_MS = 5_000;

const HISTORY_FORMAT = '%played%  [[%artist% - ]%title%|%ref%][ (%time%)]';

interface NowReport {
  readonly station: string;
  readonly mount: string;
  readonly playlist: string;
  /** The station's loudness target in LUFS, null when normalisation is off. */
  readonly loudness: number | null;
  /** Seconds songs overlap at each join, 0 for gapless joins. */
  readonly crossfade: number;
  readonly playing: (PlayedSong & { elapsedMs: number }) | null;
  readonly next: (NextSong & Partial<SongMeta>) | null;
  readonly listeners: number | null;
  /** The worker holding the station's lease: the one playing it, or null when none does. */
  readonly worker: string | null;
}

function display(song: { ref: string; title?: string | undefined; artist?: string | undefined }): string {
  return song.title ? displayTitle({ title: song.title, artist: song.artist }) : song.ref;
}

async function reportOf(store: Store, station: Station, listeners: Map<string, number> | null, players: Map<string, string>, now: number): Promise<NowReport> {
  const playing = await store.playback.getNowPlaying(station.name);
  const [next] = await store.playback.peekNext(station.name, 1);
  const nextMeta = next ? await store.caches.getSongMetas([next.ref]) : new Map<string, SongMeta>();
  return {
    station: station.name,
    mount: station.mount,
    playlist: station.playlist,
    loudness: station.loudness,
    crossfade: station.crossfade,
    playing: onAir(playing, now),
    next: next ? { ...next, ...nextMeta.get(next.ref) } : null,
    listeners: listeners?.get(station.mount) ?? (listeners ? 0 : null),
    worker: players.get(station.name) ?? null,
  };
}

/** The recorded song with its elapsed time, or null when it has already ended: the station is between songs. */
function onAir(playing: PlayedSong | null, now: number): NowReport['playing'] {
  if (!playing) return null;
  const elapsedMs = Math.max(0, now - playing.startedAt);
  return playing.durationMs !== undefined && elapsedMs > playing.durationMs + FINISHED_AFTER_MS ? null : { ...playing, elapsedMs };
}

/** Station name → the worker that plays it. */
function playersOf(fleet: Fleet): Map<string, string> {
  return new Map(fleet.workers.flatMap(({ id, stations }) => stations.map((held) => [held.station, id] as const)));
}

function describeReport(report: NowReport): string[] {
  const loudness = report.loudness === null ? 'loudness off' : `loudness ${report.loudness} LUFS`;
  const crossfade = report.crossfade > 0 ? `, crossfade ${report.crossfade} s` : '';
  const lines = [`${report.station} (${report.mount}, playlist ${report.playlist}, ${loudness}${crossfade})`];
  const playing = report.playing;
  if (!playing) {
    lines.push('  nothing playing (silent between songs)');
  } else {
    lines.push(`  ${display(playing)}`);
    const duration = playing.durationMs;
    const bar = duration ? `${progressBar(playing.elapsedMs / duration)} ` : '';
    const from = playing.source === 'queue' ? 'from the queue' : `playlist position ${playing.position}`;
    lines.push(`  ${bar}${formatDuration(playing.elapsedMs)}/${formatDuration(duration)}  ${from}`);
  }
  lines.push(`  next: ${report.next ? `${display(report.next)}${report.next.source === 'queue' ? ' (queued)' : ''}` : 'nothing'}`);
  lines.push(`  listeners: ${report.listeners === null ? 'unknown (Icecast not reachable)' : report.listeners}`);
  if (report.worker) lines.push(`  worker: ${report.worker}`);
  return lines;
}

export function registerPlayback(program: Command): void {
  subcommand(
    program,
    'next <station>',
    'skip to the next song (the running worker acts on it)',
    'relaycast next jazz',
  ).action(
    action(async (flags: Flags, station: string) => {
      const receivers = await withStore(flags, (store) => store.stations.skip(station));
      printLines([`asked ${station} to skip`]);
      if (receivers === 0) note('relaycast: no worker is listening: is the station running (relaycast start)?');
    }),
  );

  addIcecastOption(
    subcommand(
      program,
      'now [station]',
      'what is playing: song, elapsed time, next up and listeners (all stations without an argument)',
      'relaycast now',
      'relaycast now jazz --json',
      'ICECAST_URL=http://127.0.0.1:8000 relaycast now jazz',
    ),
  )
    .option('--json', 'print JSON instead of text')
    .action(
      action(async (flags: Flags, name: string | undefined) => {
        const reports = await withStore(flags, async (store) => {
          const stations = name === undefined ? await store.stations.list() : [await store.stations.get(name)];
          const listeners = stations.length > 0 ? await fetchListeners(icecastUrlOf(flags)) : null;
          const players = playersOf(await store.leases.fleet());
          const now = Date.now();
          const out: NowReport[] = [];
          for (const station of stations) out.push(await reportOf(store, station, listeners, players, now));
          return out;
        });
        if (flags.json) printJson(name === undefined ? reports : reports[0]);
        else if (reports.length === 0) printLines(['no stations: create one with relaycast station create']);
        else printLines(reports.flatMap(describeReport));
      }),
    );

  addListOptions(
    subcommand(
      program,
      'history <station>',
      'songs played on a station, newest first',
      'relaycast history jazz',
      'relaycast history jazz --range 0:10',
      "relaycast history jazz -f '%played% %artist% - %title%'",
    ),
  ).action(
    action(async (flags: Flags, station: string) => {
      const range = rangeOf(flags);
      const format = flags.json ? undefined : songFormat(flags.format, HISTORY_FORMAT);
      if (flags.format) compileFormat(flags.format);
      const entries = await withStore(flags, (store) => store.playback.getHistory(station, range));
      const start = range?.start ?? 0;
      if (flags.json) {
        printJson({ station, songs: entries.map((entry, i) => ({ index: start + i + 1, ...entry })) });
        return;
      }
      printLines(
        entries.map((entry, i) =>
          format!.render(
            songFields(entry.ref, entry, {
              position: String(start + i + 1),
              played: formatClock(entry.startedAt),
              source: entry.source,
            }),
          ),
        ),
      );
    }),
  );
}
