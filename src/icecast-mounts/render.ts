import type { EdgeMaster } from './edge-master.js';
import { insertAtMarker } from './marker.js';
import { renderStationMounts, type SkippedStation, type MountedStation } from './mount-blocks.js';

export interface RenderedConfig {
  readonly text: string;
  readonly mounts: readonly string[];
  readonly skipped: readonly SkippedStation[];
}

/** The config Icecast reads: the base with every station's blocks at the marker (a ConfigError without one). */
export function renderIcecastConfig(base: string, stations: readonly MountedStation[], options: { baseName: string; edge?: EdgeMaster | undefined }): RenderedConfig {
  const blocks = renderStationMounts(stations, options.edge);
  return { text: insertAtMarker(base, blocks.xml, options.baseName), mounts: blocks.mounts, skipped: blocks.skipped };
}
