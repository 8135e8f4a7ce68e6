import type { Command } from 'commander';
import { redactUrl } from '../../log/index.js';
import type { SongResolution } from '../../relay-client/index.js';
import { validateSongRef } from '../../store/index.js';
import { formatDuration } from '../format/time.js';
import { action, examples } from './command-kit.js';
import { addRelayOptions, type ConnectionFlags } from './options.js';
import { printJson, printLines } from './output.js';
import { withRelay } from './session.js';

type Flags = ConnectionFlags & { json?: boolean; showUrl?: boolean };

function describe(resolution: SongResolution, showUrl: boolean, now: number): string[] {
  if (!resolution.playable) {
    return [
      resolution.ref,
      `  playable: no: ${resolution.reason}${resolution.message ? ` (${resolution.message})` : ''}`,
      `  ${resolution.retryable ? 'may work later: the relay could not find out now' : 'permanent: will not play until the service changes'}`,
    ];
  }
  const { audio } = resolution;
  const minutesLeft = Math.max(0, Math.round((audio.expiresAt - now) / 60_000));
  const bitrate = audio.bitrate ? `, ${Math.round(audio.bitrate / 1000)} kb/s` : '';
  return [
    resolution.ref,
    `  title:    ${resolution.title}`,
    `  artist:   ${resolution.artist || '-'}`,
    `  album:    ${resolution.album ?? '-'}`,
    `  duration: ${formatDuration(resolution.durationMs)}`,
    `  playable: yes (${audio.format}${bitrate}, URL valid for ${minutesLeft} min)`,
    `  url:      ${showUrl ? audio.url : redactUrl(audio.url)}`,
  ];
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
          const shown = resolution.playable && !flags.showUrl ? { ...resolution, audio: { ...resolution.audio, url: redactUrl(resolution.audio.url) } } : resolution;
          printJson(shown);
        } else {
          printLines(describe(resolution, flags.showUrl === true, Date.now()));
        }
      }),
    );
}
