export interface M3uSong {
  readonly ref: string;
  readonly title?: string;
  readonly artist?: string;
  readonly durationMs?: number;
}

/** Titles come from music services: keep them on their line. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();

/** `#EXTM3U`, then per song `#EXTINF:<seconds>,<artist> - <title>` (when known) and the ref. */
export function writeM3u(songs: readonly M3uSong[]): string {
  const lines = ['#EXTM3U'];
  for (const song of songs) {
    if (song.title !== undefined) {
      const seconds = song.durationMs === undefined ? -1 : Math.round(song.durationMs / 1000);
      const artist = oneLine(song.artist ?? '');
      const title = oneLine(song.title);
      lines.push(`#EXTINF:${seconds},${artist ? `${artist} - ${title}` : title}`);
    }
    lines.push(song.ref);
  }
  return `${lines.join('\n')}\n`;
}
