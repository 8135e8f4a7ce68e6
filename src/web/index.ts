export { WebServer, pathSegments, type WebServerOptions } from './server.js';
export { readWebSettings, WEB_ENV_SETTINGS, type WebSettings } from './settings.js';
export { loadStaticFiles, STATIC_DIR, type StaticFile } from './static-files.js';
export { stationView, streamUrlOf, viewKey, VIEW_HISTORY_LENGTH, type StationView, type SongView, type PlayingView, type PlayedView } from './station-view.js';
export { sseEvent, sseComment, MAX_SSE_CLIENTS, SSE_HEARTBEAT_MS } from './sse.js';
export { ListenerCounts, LISTENER_COUNT_MAX_AGE_MS } from './listener-counts.js';
