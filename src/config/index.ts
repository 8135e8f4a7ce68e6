export { loadConfig, withSecretFiles } from './load.js';
export { ENV_SETTINGS, type EnvSetting } from './environment.js';
export { configSchema, stationSchema, streamFormatSchema, type Config, type StationConfig } from './schema.js';
