/**
 * The rules a station's name, mount and ice-* texts follow wherever one is given (config file, Redis, the
 * Icecast target), so a station the config accepts is one the store accepts and Icecast serves. The stream
 * format's rule is audio's (streamFormatProblem).
 */
export { iceTextProblem, MAX_ICE_TEXT_LENGTH } from './ice-text.js';
export { FALLBACK_MOUNT_PREFIX, fallbackMountOf, MAX_MOUNT_LENGTH, mountProblem, stationMountProblem } from './mount.js';
export { MAX_NAME_LENGTH, nameProblem } from './name.js';
export { CROSSFADE_RANGE, crossfadeProblem, DEFAULT_CROSSFADE_SECONDS } from './crossfade.js';
