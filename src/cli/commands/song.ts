import type { Command } from 'commander';
import { redactUrl } from '../../log/redact-url.js';
import type { SongResolution } from '../../relay-client/index.js';
import { validateSongRef } from '../../store/validate.js';
import { formatDuration } from '../format/time.js';
import { action, examples } from './command-kit.js';
import { addRelayOptions, type ConnectionFlags } from './options.js';
import { printJson, printLines } from './output.js';
import { withRelay } from './session.js';

type Flags = ConnectionFlags & { json?: boolean; showUrl?: boolean };

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

/** The documented `--json` shape: the song or the refusal, flagged by `playable`. */
function jsonOf(resolution: SongResolution, showUrl: boolean): object {
  if (!resolution.ok) return { playable: false, ...resolution.failure };
  const song = resolution.value;
  return { playable: true, ...song, audio: { ...song.audio, url: showUrl ? song.audio.url : redactUrl(song.audio.url) } };
}

export function registerSong(program: Command): void {
  addRelayOptions(
    program
      .command('song <ref>')
      .description('ask the relay about one song: metadata, and whether it can be played (or why not)')
      .addHelpText('after', examples('relaycast song netease:186016', 'relaycast song qq:0039MnYb0qxYhV --json')),
  )
    .option('--json', 'print JSON instead of text')
    .option('--show-url', 'print the whole audio URL: its query string or path is a credential (signed keys, the relay file token)')
    .action(
      action(async (flags: Flags, ref: string) => {
        validateSongRef(ref);
        const resolution = await withRelay(flags, (relay) => relay.resolveSong(ref));
        if (flags.json) {
          printJson(jsonOf(resolution, flags.showUrl === true));
        } else {
          printLines(describe(resolution, flags.showUrl === true, Date.now()));
        }
      }),
    );
}
