import type { Command } from 'commander';
import type { SongLoudness } from '../../audio/loudness.js';
import { redactUrl } from '../../log/redact-url.js';
import type { SongResolution } from '../../relay-client/index.js';
import { StoreUnavailableError } from '../../store/errors.js';
import type { Station } from '../../store/types.js';
import { validateSongRef } from '../../store/validate.js';
import { describeSongLoudness, songLoudnessJson } from '../format/loudness.js';
import { formatDuration } from '../format/time.js';
import { action, examples } from './command-kit.js';
import { addRedisOption, addRelayOptions, type ConnectionFlags } from './options.js';
import { note, printJson, printLines } from './output.js';
import { withRelay, withStore } from './session.js';

type Flags = ConnectionFlags & { json?: boolean; showUrl?: boolean };

/** What Redis knows of the song's level: the figures a worker measured and the stations' targets. */
interface LoudnessView {
  readonly loudness: SongLoudness | null;
  readonly stations: readonly Station[];
}

/**
 * The loudness a worker recorded for the song's audio (under the matched song's ref when another provider's
 * recording plays). Redis out of reach is a note, not a failure: the relay's answer is this command's main
 * news, and a relay-only host (the mainland one) has no Redis at all.
 */
async function loudnessView(flags: Flags, resolution: SongResolution, ref: string): Promise<LoudnessView | undefined> {
  const played = resolution.ok ? (resolution.value.matchedFrom?.ref ?? ref) : ref;
  try {
    return await withStore(flags, async (store) => ({ loudness: await store.caches.getSongLoudness(played), stations: await store.stations.list() }));
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    note(`relaycast: loudness unknown: ${error.message}`);
    return undefined;
  }
}

/** A song that cannot play shows its loudness only when it was measured (it played before it was refused). */
function describeLoudnessView(resolution: SongResolution, view: LoudnessView | undefined): string[] {
  if (!resolution.ok && !view?.loudness) return [];
  return view ? describeSongLoudness(view.loudness, view.stations) : ['  loudness: unknown (Redis could not be reached)'];
}

function describe(resolution: SongResolution, showUrl: boolean, now: number): string[] {
  if (!resolution.ok) {
    const { ref, reason, message, retryable } = resolution.failure;
    return [
      ref,
      `  playable: no: ${reason}${message ? ` (${message})` : ''}`,
      `  ${retryable ? 'may work later: the relay could not find out now' : 'permanent: will not play until the service changes'}`,
    ];
  }
  const song = resolution.value;
  const { audio } = song;
  const minutesLeft = Math.max(0, Math.round((audio.expiresAt - now) / 60_000));
  const bitrate = audio.bitrate ? `, ${Math.round(audio.bitrate / 1000)} kb/s` : '';
  return [
    song.ref,
    `  title:    ${song.title}`,
    `  artist:   ${song.artist || '-'}`,
    `  album:    ${song.album ?? '-'}`,
    `  duration: ${formatDuration(song.durationMs)}`,
    `  playable: yes (${audio.format}${bitrate}, URL valid for ${minutesLeft} min)`,
    ...(song.matchedFrom
      ? [`  matched:  its own service refuses it; the same recording plays from ${song.matchedFrom.ref} (score ${song.matchedFrom.score.toFixed(2)})`]
      : []),
    `  url:      ${showUrl ? audio.url : redactUrl(audio.url)}`,
  ];
}

/**
 * The documented `--json` shape: the song or the refusal, flagged by `playable`, with `loudness` (null when
 * Redis could not be reached).
 */
function jsonOf(resolution: SongResolution, showUrl: boolean, view: LoudnessView | undefined): object {
  const loudness = view ? songLoudnessJson(view.loudness, view.stations) : null;
  if (!resolution.ok) return { playable: false, ...resolution.failure, loudness };
  const song = resolution.value;
  return { playable: true, ...song, audio: { ...song.audio, url: showUrl ? song.audio.url : redactUrl(song.audio.url) }, loudness };
}

export function registerSong(program: Command): void {
  addRedisOption(
    addRelayOptions(
      program
        .command('song <ref>')
        .description("ask the relay about one song: metadata, and whether it can be played (or why not); and Redis for its loudness and each station's gain")
        .addHelpText('after', examples('relaycast song netease:186016', 'relaycast song qq:0039MnYb0qxYhV --json')),
    ),
  )
    .option('--json', 'print JSON instead of text')
    .option('--show-url', 'print the whole audio URL: its query string or path is a credential (signed keys, the relay file token)')
    .action(
      action(async (flags: Flags, ref: string) => {
        validateSongRef(ref);
        const resolution = await withRelay(flags, (relay) => relay.resolveSong(ref));
        const view = await loudnessView(flags, resolution, ref);
        if (flags.json) {
          printJson(jsonOf(resolution, flags.showUrl === true, view));
        } else {
          printLines([...describe(resolution, flags.showUrl === true, Date.now()), ...describeLoudnessView(resolution, view)]);
        }
      }),
    );
}
