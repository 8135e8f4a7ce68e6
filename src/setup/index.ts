/**
 * `relaycast setup`: what a docker compose station needs before its services start (secrets, Icecast's
 * config, demo songs, a default station), and the image's healthcheck.
 */
export { runSetup, REDIS_WAIT_MS, type SetupDeps, type SetupReport } from './setup.js';
export { readSetupSettings, SETUP_ENV_SETTINGS, ICECAST_TEMPLATE_SETTINGS, BUNDLED_ICECAST_TEMPLATE, type SetupSettings } from './settings.js';
export { SECRETS, GENERATED_SECRET_BYTES, SECRET_FILE_MODE, ensureSecrets, type Secret, type SecretName, type SecretOrigin } from './secrets.js';
export { renderIcecastTemplate, templatePlaceholders, writeIcecastConfig, writeIcecastConfigFile, ICECAST_CONFIG_MODE } from './icecast-config.js';
export { DEMO_SONGS, DEMO_FOLDER, demoSongArgs, demoSongExpression, makeDemoSongs, type DemoSong, type RunProgram } from './demo-songs.js';
export { DEFAULT_STATION, ensureDefaultStation, type DefaultStationOutcome } from './default-station.js';
export { listAudioFiles, hasAudioFiles } from './music-folder.js';
export { checkHealth, detectRole, roleOfCommandLine, mountsOfStatusJson, type HealthRole, type HealthResult } from './healthcheck.js';
