import { DEFAULT_STREAM_FORMAT } from '../audio/index.js';
import { DEFAULT_ICECAST_URL, DEFAULT_SOURCE_USER } from '../icecast/index.js';

/**
 * Every environment variable the worker reads, where it goes in the config, and what it means.
 * The README's settings table is this list; nothing else in the code reads process.env for the worker.
 */
export interface EnvSetting {
  readonly name: string;
  /** Path inside the config object; a station path applies to the single station the environment defines. */
  readonly path: readonly (string | number)[];
  readonly meaning: string;
  readonly default?: string;
  readonly parse?: (value: string) => unknown;
}

/** Anything that reads as a number becomes one, so the schema can say what is wrong with it ("got -128"). */
const toNumber = (value: string): unknown => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);
const toBoolean = (value: string): unknown => (/^(1|true|yes|on)$/i.test(value) ? true : /^(0|false|no|off)$/i.test(value) ? false : value);

export const ENV_SETTINGS: readonly EnvSetting[] = [
  { name: 'RELAYCAST_CONFIG', path: [], meaning: 'JSON config file with icecast, stations and more (optional)' },
  { name: 'ICECAST_URL', path: ['icecast', 'url'], meaning: 'Icecast server the stations stream to, http://host:port (no path: mounts are set per station)', default: DEFAULT_ICECAST_URL },
  { name: 'ICECAST_SOURCE_USER', path: ['icecast', 'username'], meaning: 'source user name', default: DEFAULT_SOURCE_USER },
  { name: 'ICECAST_SOURCE_PASSWORD', path: ['icecast', 'sourcePassword'], meaning: 'Icecast source password (required)' },
  { name: 'ICECAST_ADMIN_USER', path: ['icecast', 'adminUser'], meaning: 'Icecast admin user, for title updates from another host (optional)' },
  { name: 'ICECAST_ADMIN_PASSWORD', path: ['icecast', 'adminPassword'], meaning: 'Icecast admin password (optional)' },
  { name: 'RELAY_URL', path: ['relay', 'url'], meaning: 'song relay base URL; unset = providers run inside the worker' },
  { name: 'RELAY_TOKEN', path: ['relay', 'token'], meaning: 'bearer token for the relay' },
  { name: 'REDIS_URL', path: ['redis', 'url'], meaning: 'Redis holding stations, playlists, queues and caches' },
  { name: 'MUSIC_DIR', path: ['musicDir'], meaning: 'folder of audio files for `local:` refs when no relay is configured' },
  { name: 'CACHE_DIR', path: ['cacheDir'], meaning: 'folder for the transcoded-audio cache' },
  { name: 'CACHE_MAX_MB', path: ['cacheMaxMb'], meaning: 'bound of the transcoded-audio cache, MiB', default: '2048', parse: toNumber },
  { name: 'SILENCE_BUDGET_SEC', path: ['silenceBudgetSec'], meaning: 'longest silence while a playable song is listed, seconds', default: '10', parse: toNumber },
  { name: 'WORKER_ROLE', path: ['workerRole'], meaning: '"player" plays its share of the stations; "fallback" only feeds the stations\' fallback mounts (needs REDIS_URL)', default: 'player' },
  { name: 'METRICS_PORT', path: ['metrics', 'port'], meaning: 'port of GET /metrics (Prometheus); unset = no metrics served', parse: toNumber },
  { name: 'METRICS_HOST', path: ['metrics', 'host'], meaning: 'address the metrics port listens on', default: '127.0.0.1' },
  { name: 'LOG_LEVEL', path: ['logLevel'], meaning: 'fatal, error, warn, info, debug or trace', default: 'info' },
  { name: 'STATION_NAME', path: ['stations', 0, 'name'], meaning: 'name of a station defined by the environment' },
  { name: 'STATION_MOUNT', path: ['stations', 0, 'mount'], meaning: 'its mount, e.g. /radio.mp3' },
  { name: 'STATION_PLAYLIST_FILE', path: ['stations', 0, 'playlistFile'], meaning: 'its .m3u of files, URLs or refs' },
  { name: 'STATION_BITRATE', path: ['stations', 0, 'format', 'bitrateKbps'], meaning: 'its MP3 bitrate in kb/s', default: String(DEFAULT_STREAM_FORMAT.bitrateKbps), parse: toNumber },
  { name: 'STATION_SAMPLE_RATE', path: ['stations', 0, 'format', 'sampleRate'], meaning: 'its sample rate in Hz', default: String(DEFAULT_STREAM_FORMAT.sampleRate), parse: toNumber },
  { name: 'STATION_CHANNELS', path: ['stations', 0, 'format', 'channels'], meaning: 'its channels, 1 or 2', default: String(DEFAULT_STREAM_FORMAT.channels), parse: toNumber },
  { name: 'STATION_METADATA_CHARSET', path: ['stations', 0, 'metadataCharset'], meaning: '"omit" (default, keeps UTF-8 titles) or a charset to send with titles' },
  { name: 'STATION_LOUDNESS', path: ['stations', 0, 'loudness'], meaning: 'its loudness target in LUFS (-30 to -5), or off', default: '-16', parse: toNumber },
  { name: 'STATION_CROSSFADE', path: ['stations', 0, 'crossfade'], meaning: 'seconds its songs overlap at each join (0 to 10; 0 = gapless)', default: '0', parse: toNumber },
  { name: 'ICE_PUBLIC', path: ['stations', 0, 'ice', 'public'], meaning: 'list the station in directories (1/0)', parse: toBoolean },
];
