import { fallbackMountOf, stationMountProblem } from '../station-rules/index.js';
import { escapeXml } from '../xml-text.js';
import type { EdgeMaster } from './edge-master.js';

/** What a station's Icecast blocks are made of. */
export interface MountedStation {
  readonly name: string;
  readonly mount: string;
}

/** A stored station left out of the config: its mount is not one Icecast can be given (Redis edited by hand). */
export interface SkippedStation {
  readonly name: string;
  readonly mount: string;
  readonly problem: string;
}

export interface StationMounts {
  /** The blocks, one indented line each, ready to go where the marker is; '' for no station. */
  readonly xml: string;
  /** Mounts in the order written (sorted), each station's own. */
  readonly mounts: readonly string[];
  readonly skipped: readonly SkippedStation[];
}

const INDENT = '    ';

/**
 * Icecast's blocks for every station, sorted by mount so the same stations always give the same text (the
 * writer compares texts, and Icecast reloads on every change of the file):
 * - the station's mount with its own fallback mount, and fallback-override so listeners come back when a
 *   source returns (Icecast 2.4.4 disconnects a mount's listeners when its source leaves, unless it has a
 *   fallback). A fallback of its own per station: override moves every listener of a shared fallback to
 *   whichever station returns first.
 * - the fallback mount, hidden: it is no station, so it stays off the status page and /status-json.xsl.
 * On an edge (`edge` set) the same blocks, plus a <relay> for each of the two mounts from the master.
 */
export function renderStationMounts(stations: readonly MountedStation[], edge?: EdgeMaster): StationMounts {
  const skipped: SkippedStation[] = [];
  const byMount = new Map<string, MountedStation>();
  for (const station of stations) {
    const problem = stationMountProblem(station.mount) ?? (byMount.has(station.mount) ? `is also the mount of station ${JSON.stringify(byMount.get(station.mount)!.name)}` : undefined);
    if (problem) skipped.push({ name: station.name, mount: station.mount, problem });
    else byMount.set(station.mount, station);
  }
  const mounts = [...byMount.keys()].sort();
  const lines = mounts.flatMap((mount) => {
    const fallback = fallbackMountOf(mount);
    const blocks = [
      element('mount type="normal"', [text('mount-name', mount), text('fallback-mount', fallback), text('fallback-override', '1')]),
      element('mount type="normal"', [text('mount-name', fallback), text('hidden', '1')]),
    ];
    if (edge) blocks.push(relay(edge, mount), relay(edge, fallback));
    return blocks.flat();
  });
  return { xml: lines.map((line) => `${INDENT}${line}`).join('\n'), mounts, skipped };
}

/**
 * How often an edge retries a relay that found no mount on the master. Icecast 2.4.4 waits
 * master-update-interval (120 s by default) before trying such a relay again: an edge that reloaded while a
 * station's source was changing hands would leave that station off the edge for two minutes.
 */
export const EDGE_RELAY_RETRY_SECONDS = 5;

/** The edge's retry interval as a root element of the config (see EDGE_RELAY_RETRY_SECONDS). */
export function edgeRelayRetryXml(): string {
  return `${INDENT}${text('master-update-interval', String(EDGE_RELAY_RETRY_SECONDS))}`;
}

/**
 * The edge's copy of one master mount. on-demand 0: connected all the time, so a listener never waits
 * for the relay to connect and the fallback is there before it is needed. relay-shoutcast-metadata: the
 * edge asks the master for ICY metadata and passes titles on to its listeners.
 */
function relay(edge: EdgeMaster, mount: string): string[] {
  return element('relay', [
    text('server', edge.host),
    text('port', String(edge.port)),
    text('mount', mount),
    text('local-mount', mount),
    text('on-demand', '0'),
    text('relay-shoutcast-metadata', '1'),
  ]);
}

function element(opening: string, children: readonly string[]): string[] {
  const name = opening.split(' ')[0]!;
  return [`<${opening}>`, ...children.map((child) => `${INDENT}${child}`), `</${name}>`];
}

function text(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}
