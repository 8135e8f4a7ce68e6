/**
 * The relay: resolves song and playlist refs to metadata and short-lived audio URLs, over HTTP
 * (`createRelayServer`) or in-process (`createResolver`, the worker's embedded default).
 */
export { createRelayServer, type RelayServer, type RelayServerOptions } from './server.js';
export type { RelayObserver, UpstreamOutcome, MatchResult } from './observer.js';
export {
  createResolver,
  PageRequestError,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type Resolver,
  type ResolverOptions,
} from './resolver.js';
export {
  RelayConfigSchema,
  ResolverConfigSchema,
  TrustProxySchema,
  parseRelayConfig,
  parseResolverConfig,
  type RelayConfig,
  type RelayConfigInput,
  type ResolverConfig,
  type ResolverConfigInput,
} from './config.js';
export { NotFoundError, UpstreamError, ProviderDisabledError } from './errors.js';
export {
  UNPLAYABLE_REASONS,
  AUDIO_FORMATS,
  type UnplayableReason,
  type AudioFormat,
  type SongInfo,
  type AudioSource,
  type Resolution,
  type PlaylistPage,
  type PageRequest,
  type ProviderName,
} from './providers/provider.js';
export { noTags, type TagReader, type AudioTags } from './providers/local/tags.js';
