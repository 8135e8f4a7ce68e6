export { IcecastSource, type IcecastSourceEvents, type IcecastSourceOptions, type IcecastSourceState, type IcecastSourceStatus } from './source.js';
export type { IcecastSecrets } from './credentials.js';
export { icecastUrlProblem, type IcecastTarget, type IceInfo } from './target.js';
export { DEFAULT_ICECAST_URL, DEFAULT_METADATA_CHARSET, DEFAULT_SOURCE_USER, ICECAST_SOURCE_DEFAULTS, type ReconnectPolicy, type SourceTiming } from './defaults.js';
export { retryDelayMs } from './retry-delay.js';
export { classifyAnswer, classifyNetworkError } from './answer.js';
export {
  IcecastError,
  IcecastAuthError,
  IcecastMountInUseError,
  IcecastRejectedError,
  IcecastConnectionError,
  IcecastMetadataError,
  type FailureKind,
} from './errors.js';
export { parseListeners } from './status-listeners.js';
