import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { probeTags } from '../audio/index.js';
import { RelaycastError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { withDeadline, systemWallClock, type WallClock } from '../time/index.js';
import { parseResolverConfig, type ResolverConfig, type ResolverConfigInput } from './config.js';
import { NotFoundError, ProviderDisabledError, UpstreamError } from './errors.js';
import { createLocalProvider } from './providers/local/local-provider.js';
import { MusicLibrary, type LibraryFile } from './providers/local/library.js';
import type { TagReader } from './providers/local/tags.js';
import { createNeteaseProvider } from './providers/netease/netease-provider.js';
import {
  resolutionOutcome,
  type LookupContext,
  type PageRequest,
  type PlaylistPage,
  type Provider,
  type ProviderName,
  type Resolution,
} from './providers/provider.js';
import { createMusicuApi } from './providers/qq/musicu-api.js';
import { createQqMusicApi } from './providers/qq/qqmusicapi-api.js';
import { qqApiOrigins } from './providers/qq/qq-api.js';
import { createQqProvider } from './providers/qq/qq-provider.js';
import { PROVIDER_NAMES, formatRef, parsePlaylistRef, parseSongRef, type PlaylistRef, type SongRef } from '../refs/index.js';
import { createUpstreamFetch } from './upstream/fetch.js';
import { upstreamError } from './upstream/response.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;
/** A provider past its deadline is abandoned this long after it, leaving it the chance to report its own timeout. */
const DEADLINE_GRACE_MS = 150;
/** What clients see of an unexpected provider error; the relay log has the details (paths stay private). */
const PROVIDER_FAILED = 'provider failed; see the relay log';

export class PageRequestError extends RelaycastError {
  constructor(problem: string) {
    super('ERR_RELAY_PAGE', `bad page request: ${problem}`);
  }
}

export interface ResolverOptions {
  config: ResolverConfigInput;
  logger: Logger;
  /** Tags of local files; default ffprobe (`probeTags`). `noTags` names songs after their files. */
  tagReader?: TagReader;
  /** URL for a local file; default `file:` URLs, which only a worker on the same host can open. */
  fileUrl?: (file: LibraryFile, expiresAt: number) => string;
  /** Share the library with the file server so both apply the same path rules to the same root. */
  library?: MusicLibrary;
  now?: WallClock;
  random?: () => number;
}

/**
 * Songs and playlists by ref, from whichever providers the config enables. The relay's HTTP server is a
 * thin layer on this; a worker without a relay URL runs it in-process ("embedded").
 */
export interface Resolver {
  readonly providers: ProviderName[];
  /** Throws RefSyntaxError, ProviderDisabledError or NotFoundError; upstream trouble is a resolution. */
  resolveSong(ref: string | SongRef): Promise<Resolution>;
  /** Throws RefSyntaxError, ProviderDisabledError, NotFoundError, PageRequestError or UpstreamError. */
  resolvePlaylist(ref: string | PlaylistRef, page?: Partial<PageRequest>): Promise<PlaylistPage>;
}

export function createResolver(options: ResolverOptions): Resolver {
  const config = parseResolverConfig(options.config);
  const { logger } = options;
  const now = options.now ?? systemWallClock;
  const providers = createProviders(config, options, now);

  function need<P extends ProviderName>(provider: Provider<P> | undefined, name: P, ref: string): Provider<P> {
    if (!provider) throw new ProviderDisabledError(ref, name);
    return provider;
  }

  function lookUpSong(ref: SongRef, refText: string, context: LookupContext): Promise<Resolution> {
    switch (ref.provider) {
      case 'qq':
        return need(providers.qq, 'qq', refText).resolveSong(ref, context);
      case 'netease':
        return need(providers.netease, 'netease', refText).resolveSong(ref, context);
      case 'local':
        return need(providers.local, 'local', refText).resolveSong(ref, context);
    }
  }

  function lookUpPlaylist(ref: PlaylistRef, refText: string, page: PageRequest, context: LookupContext): Promise<PlaylistPage> {
    switch (ref.provider) {
      case 'qq':
        return need(providers.qq, 'qq', refText).getPlaylist(ref, page, context);
      case 'netease':
        return need(providers.netease, 'netease', refText).getPlaylist(ref, page, context);
      case 'local':
        return need(providers.local, 'local', refText).getPlaylist(ref, page, context);
    }
  }

  return {
    providers: PROVIDER_NAMES.filter((name) => providers[name] !== undefined),

    async resolveSong(input) {
      // Objects are checked too: a hand-made ref must obey the same rules as a parsed one.
      const ref = parseSongRef(typeof input === 'string' ? input : formatRef(input));
      const refText = formatRef(ref);
      const started = now();
      const deadlineAt = started + config.timeouts.lookupMs;
      let resolution: Resolution;
      try {
        resolution = await withDeadline(
          lookUpSong(ref, refText, { deadlineAt }),
          deadlineAt + DEADLINE_GRACE_MS - now(),
          () => upstreamError(`lookup took longer than ${config.timeouts.lookupMs} ms`, true),
        );
      } catch (error) {
        if (error instanceof NotFoundError || error instanceof ProviderDisabledError) throw error;
        // A provider bug (or a missing music folder) must cost one song, not the relay.
        logger.error({ event: 'relay.resolve.crashed', ref: refText, err: error }, 'provider threw');
        resolution = upstreamError(PROVIDER_FAILED, true);
      }
      logger.info(
        {
          event: 'relay.resolve',
          ref: refText,
          outcome: resolutionOutcome(resolution),
          ...(resolution.ok
            ? { format: resolution.value.audio.format }
            : { reason: resolution.failure.reason, retryable: resolution.failure.retryable, detail: resolution.failure.detail }),
          ms: now() - started,
        },
        'song resolved',
      );
      return resolution;
    },

    async resolvePlaylist(input, page = {}) {
      const ref = parsePlaylistRef(typeof input === 'string' ? input : formatRef(input));
      const refText = formatRef(ref);
      const request = checkPage(page);
      const deadlineAt = now() + config.timeouts.lookupMs;
      try {
        return await withDeadline(
          lookUpPlaylist(ref, refText, request, { deadlineAt }),
          deadlineAt + DEADLINE_GRACE_MS - now(),
          () => {
            throw new UpstreamError(refText, `lookup took longer than ${config.timeouts.lookupMs} ms`, true);
          },
        );
      } catch (error) {
        if (error instanceof NotFoundError || error instanceof UpstreamError || error instanceof ProviderDisabledError) throw error;
        logger.error({ event: 'relay.playlist.crashed', ref: refText, err: error }, 'provider threw');
        throw new UpstreamError(refText, PROVIDER_FAILED, true);
      }
    },
  };
}

interface Providers {
  qq?: Provider<'qq'>;
  netease?: Provider<'netease'>;
  local?: Provider<'local'>;
}

function createProviders(config: ResolverConfig, options: ResolverOptions, now: WallClock): Providers {
  const fetchFor = (origins: string[]) =>
    createUpstreamFetch({ allowedOrigins: origins, maxBodyBytes: config.maxUpstreamBodyBytes, now, logger: options.logger });
  const { netease, qq, local } = config;
  return {
    ...(netease && {
      netease: createNeteaseProvider({ config: netease, fetch: fetchFor([new URL(netease.baseUrl).origin]) }),
    }),
    ...(qq && {
      qq: createQqProvider({
        api:
          qq.api === 'qqmusicapi' && qq.qqMusicApiUrl
            ? createQqMusicApi({ config: { ...qq, qqMusicApiUrl: qq.qqMusicApiUrl }, fetch: fetchFor(qqApiOrigins(qq)) })
            : createMusicuApi({ config: qq, fetch: fetchFor(qqApiOrigins(qq)), guid: String(randomInt(1e9, 1e10 - 1)) }),
        attempts: qq.attempts,
        now,
        random: options.random ?? Math.random,
      }),
    }),
    ...(local && {
      local: createLocalProvider({
        library: options.library ?? new MusicLibrary(local.musicDir),
        tagReader: options.tagReader ?? probeTags,
        fileUrl: options.fileUrl ?? ((file) => pathToFileURL(file.absPath).href),
        fileUrlTtlSec: local.fileUrlTtlSec,
        now,
        logger: options.logger,
      }),
    }),
  };
}

function checkPage(page: Partial<PageRequest>): PageRequest {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new PageRequestError('offset must be a whole number ≥ 0');
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new PageRequestError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return { offset, limit };
}
