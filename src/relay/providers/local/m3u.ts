/** One entry of an M3U playlist, with what its `#EXTINF` line said. */
export interface M3uEntry {
  /** As written: a path (relative to the M3U or absolute) or a URL. */
  location: string;
  durationSec?: number;
  /** `#EXTINF:<seconds>,<artist> - <title>`: the display text split at the first " - ". */
  artist?: string;
  title?: string;
}

/**
 * Entries of an M3U/M3U8 text in order, at most `maxEntries`. Comments and directives other than
 * `#EXTINF` are skipped; `#EXTINF` applies to the next entry only.
 */
export function parseM3u(text: string, maxEntries: number): M3uEntry[] {
  const entries: M3uEntry[] = [];
  let info: Omit<M3uEntry, 'location'> = {};
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)) {
    if (entries.length >= maxEntries) break;
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (/^#EXTINF:/i.test(line)) info = parseExtinf(line);
      continue;
    }
    entries.push({ location: line, ...info });
    info = {};
  }
  return entries;
}

function parseExtinf(line: string): Omit<M3uEntry, 'location'> {
  // `#EXTINF:-1 tvg-id="x",Display text`: the duration ends at the first space or comma.
  const match = /^#EXTINF:\s*(-?[0-9.]+)[^,]*,(.*)$/i.exec(line);
  if (!match) return {};
  const duration = Number(match[1]);
  const display = (match[2] ?? '').trim();
  const separator = display.indexOf(' - ');
  return {
    ...(Number.isFinite(duration) && duration > 0 ? { durationSec: duration } : {}),
    ...(separator > 0
      ? { artist: display.slice(0, separator).trim(), title: display.slice(separator + 3).trim() }
      : display
        ? { title: display }
        : {}),
  };
}
