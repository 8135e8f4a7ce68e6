/** One entry of an .m3u/.m3u8 file: what to play and what #EXTINF said about it. */
export interface M3uEntry {
  readonly location: string;
  readonly title?: string;
  readonly artist?: string;
  readonly durationSec?: number;
}

/** Longest playlist file read, in entries: a bound on memory for a file nobody checked. */
export const MAX_M3U_ENTRIES = 100_000;

/**
 * Parses extended and plain M3U: `#EXTINF:<seconds>,<artist> - <title>` describes the next location line;
 * other comments and blank lines are ignored. A UTF-8 byte-order mark is tolerated.
 */
export function parseM3u(text: string): M3uEntry[] {
  const entries: M3uEntry[] = [];
  let pending: Omit<M3uEntry, 'location'> = {};
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith('#EXTINF:')) pending = parseExtinf(line.slice('#EXTINF:'.length));
    if (!line || line.startsWith('#')) continue;
    entries.push({ location: line, ...pending });
    pending = {};
    if (entries.length >= MAX_M3U_ENTRIES) break;
  }
  return entries;
}

function parseExtinf(body: string): Omit<M3uEntry, 'location'> {
  const comma = body.indexOf(',');
  const seconds = Number.parseFloat(comma >= 0 ? body.slice(0, comma) : body);
  const label = comma >= 0 ? body.slice(comma + 1).trim() : '';
  const separator = label.indexOf(' - ');
  const described = separator >= 0 ? { artist: label.slice(0, separator).trim(), title: label.slice(separator + 3).trim() } : label ? { title: label } : {};
  return Number.isFinite(seconds) && seconds >= 0 ? { durationSec: seconds, ...described } : described;
}

/** Writes extended M3U; titles are kept on one line whatever they contain. */
export function formatM3u(entries: readonly M3uEntry[]): string {
  const lines = ['#EXTM3U'];
  for (const entry of entries) {
    const seconds = entry.durationSec === undefined ? -1 : Math.round(entry.durationSec);
    const label = [entry.artist, entry.title].filter(Boolean).join(' - ').replace(/[\r\n]+/g, ' ');
    lines.push(`#EXTINF:${seconds},${label}`, entry.location);
  }
  return `${lines.join('\n')}\n`;
}
