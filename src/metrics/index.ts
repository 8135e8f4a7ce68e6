export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './server.js';
export { WorkerMetrics, type WorkerMetricsOptions, type MeteredStation, type AudioCacheCounts, type SongCacheCounts } from './worker-metrics.js';
export { RelayMetrics } from './relay-metrics.js';
export { IcecastListeners, LISTENERS_POLL_MS, type FetchStatus } from './icecast-listeners.js';
export { Registry } from 'prom-client';
