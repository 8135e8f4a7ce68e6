/**
 * Icecast's per-station mount blocks, rendered from the stations in Redis into Icecast's config file
 * (`relaycast icecast-config`): each station's mount with a fallback mount of its own, and on an edge the
 * relays of both from the master.
 */
export { EDGE_RELAY_RETRY_SECONDS, renderStationMounts, type MountedStation, type SkippedStation, type StationMounts } from './mount-blocks.js';
export { STATION_MOUNTS_MARKER, insertAtMarker } from './marker.js';
export { renderIcecastConfig, type RenderedConfig } from './render.js';
export { parseEdgeMaster, type EdgeMaster } from './edge-master.js';
export { readIcecastConfigSettings, defaultBaseConfigPath, ICECAST_CONFIG_ENV_SETTINGS, type IcecastConfigSettings } from './settings.js';
export { configFiles, type ConfigFiles } from './config-files.js';
export { openStationFeed, MOUNT_EVENTS, type StationFeed, type FeedSignal } from './station-feed.js';
export { IcecastConfigWriter, WRITER_TIMING, type WriterDeps, type WriterTiming, type RedisState } from './config-writer.js';
export { renderOnce, type RenderOnceResult } from './render-once.js';
