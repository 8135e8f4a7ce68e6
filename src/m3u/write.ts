import { withoutControlChars } from '../control-chars.js';
import { displayTitle } from '../song-title.js';

export interface M3uSong {
  readonly ref: string;
  readonly title?: string;
  readonly artist?: string;
  readonly durationMs?: number;
}

/** `#EXTM3U`, then per song `#EXTINF:<seconds>,<artist> - <title>` (when known) and the ref. */
export function writeM3u(songs: readonly M3uSong[]): string {
  const lines = ['#EXTM3U'];
  for (const song of songs) {
    if (song.title !== undefined) {
      const seconds = song.durationMs === undefined ? -1 : Math.round(song.durationMs / 1000);
      // Titles come from music services: keep them on their line.
      lines.push(`#EXTINF:${seconds},${displayTitle({ artist: withoutControlChars(song.artist ?? ''), title: withoutControlChars(song.title) })}`);
    }
    lines.push(song.ref);
  }
  return `${lines.join('\n')}\n`;
}
