import { ConfigError } from '../errors.js';

/**
 * Where the station blocks go in the base config (the rendered icecast.xml template). A comment, so the
 * base alone is a valid Icecast config: the one Icecast starts with before the stations are known.
 */
export const STATION_MOUNTS_MARKER = '<!-- relaycast:station-mounts -->';

/** What stands in the marker's place in the written config, which is then no base any more. */
const RENDERED_COMMENT = '<!-- station mounts, rendered from Redis by relaycast icecast-config -->';

/**
 * The base config with `blocks` in place of its marker line (the marker's own indentation dropped, the
 * blocks carry theirs). `baseName` names the base in the error: a base without exactly one marker is a
 * template that was edited or is not relaycast's, and writing it without the stations would silently drop
 * every station's fallback.
 */
export function insertAtMarker(base: string, blocks: string, baseName: string): string {
  const first = base.indexOf(STATION_MOUNTS_MARKER);
  if (first === -1) throw new ConfigError(baseName, `has no ${STATION_MOUNTS_MARKER} line: render it from relaycast's icecast.xml (relaycast setup)`);
  if (base.indexOf(STATION_MOUNTS_MARKER, first + 1) !== -1) throw new ConfigError(baseName, `has more than one ${STATION_MOUNTS_MARKER} line`);
  const lineStart = base.lastIndexOf('\n', first) + 1;
  const indentOnly = /^[ \t]*$/.test(base.slice(lineStart, first));
  const start = indentOnly ? lineStart : first;
  const end = first + STATION_MOUNTS_MARKER.length;
  const replacement = blocks === '' ? `    ${RENDERED_COMMENT}` : `    ${RENDERED_COMMENT}\n${blocks}`;
  return `${base.slice(0, start)}${replacement}${base.slice(end)}`;
}
