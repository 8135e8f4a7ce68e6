import type { EdgeMaster } from './edge-master.js';
import { insertAtMarker } from './marker.js';
import { edgeRelayRetryXml, renderStationMounts, type SkippedStation, type MountedStation } from './mount-blocks.js';

export interface RenderedConfig {
  readonly text: string;
  readonly mounts: readonly string[];
  readonly skipped: readonly SkippedStation[];
}

/**
 * The config Icecast reads: the base with every station's blocks at the marker (a ConfigError without one).
 * An edge also gets a short relay retry interval, unless the base sets its own.
 */
export function renderIcecastConfig(base: string, stations: readonly MountedStation[], options: { baseName: string; edge?: EdgeMaster | undefined }): RenderedConfig {
  const blocks = renderStationMounts(stations, options.edge);
  const retry = options.edge && !base.includes('<master-update-interval>') ? [edgeRelayRetryXml()] : [];
  const xml = [...retry, blocks.xml].filter((part) => part !== '').join('\n');
  return { text: insertAtMarker(base, xml, options.baseName), mounts: blocks.mounts, skipped: blocks.skipped };
}
