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
import { findMatch, searchQuery, type SongSearch } from './match/index.js';
import { createNeteaseProvider } from './providers/netease/netease-provider.js';
import { createNeteaseSearch } from './providers/netease/search.js';
import {
  resolutionOutcome,
  type LookupContext,
  type PageRequest,
  type PlaylistPage,
  type Provider,
  type ProviderName,
  type Resolution,
  type SongInfo,
  type UnplayableReason,
} from './providers/provider.js';
import { createMusicuApi } from './providers/qq/musicu-api.js';
import { createQqMusicApi } from './providers/qq/qqmusicapi-api.js';
import { qqApiOrigins } from './providers/qq/qq-api.js';
import { createQqProvider } from './providers/qq/qq-provider.js';
import { createQqSearch } from './providers/qq/search.js';
import { PROVIDER_NAMES, formatRef, parsePlaylistRef, parseSongRef, type PlaylistRef, type SongRef } from '../refs/index.js';
import { createUpstreamFetch } from './upstream/fetch.js';
import type { MatchResult, RelayObserver } from './observer.js';
import { upstreamError } from './upstream/response.js';
import { ok } from '../result.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;
/** A provider past its deadline is abandoned this long after it, leaving it the chance to report its own timeout. */
const DEADLINE_GRACE_MS = 150;
/** What clients see of an unexpected provider error; the relay log has the details (paths stay private). */
const PROVIDER_FAILED = 'provider failed; see the relay log';
/** Definite refusals another provider may not share; `upstream-error` is not one (ask the same one again). */
const MATCHABLE_REASONS: ReadonlySet<UnplayableReason> = new Set(['no-rights', 'trial-only', 'delisted', 'region-blocked']);
/** Where a song refused by one provider is looked for. */
const OTHER_PROVIDER = { netease: 'qq', qq: 'netease' } as const;

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
  /** Told of upstream requests and cross-provider matches (the relay's metrics). */
  observer?: RelayObserver | undefined;
}

/**
 * Songs and playlists by ref, from whichever providers the config enables. The relay's HTTP server is a
 * thin layer on this; a worker without a relay URL runs it in-process ("embedded").
 */
export interface Resolver {
  readonly providers: ProviderName[];
  /** Throws RefSyntaxError, ProviderDisabledError or NotFoundError; upstream trouble is a resolution. */
  resolveSong(ref: string | SongRef, options?: SongOptions): Promise<Resolution>;
  /** Throws RefSyntaxError, ProviderDisabledError, NotFoundError, PageRequestError or UpstreamError. */
  resolvePlaylist(ref: string | PlaylistRef, page?: Partial<PageRequest>): Promise<PlaylistPage>;
}

export interface SongOptions {
  /** False: no cross-provider match for this song, whatever the config says (default: the config's `match`). */
  match?: boolean;
}

export function createResolver(options: ResolverOptions): Resolver {
  const config = parseResolverConfig(options.config);
  const { logger } = options;
  const now = options.now ?? systemWallClock;
  const { providers, searches } = createProviders(config, options, now);

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

  /**
   * The same recording on another provider, resolved through that provider's normal path, played under the
   * asked song's metadata; undefined when there is none to be confident about (the caller keeps its 422).
   */
  async function matchElsewhere(refText: string, asked: SongInfo, search: SongSearch, deadlineAt: number): Promise<Resolution | undefined> {
    const matched = await tryMatch(refText, asked, search, deadlineAt);
    options.observer?.match?.(matched.result);
    return matched.resolution;
  }

  async function tryMatch(refText: string, asked: SongInfo, search: SongSearch, deadlineAt: number): Promise<{ result: MatchResult; resolution?: Resolution }> {
    const found = await search(searchQuery(asked), deadlineAt);
    if (!found.ok) {
      logger.info({ event: 'relay.match', ref: refText, outcome: 'search-failed', detail: found.failure.detail }, 'no match: search failed');
      return { result: 'search-failed' };
    }
    const match = findMatch(asked, found.value);
    if (!match) {
      logger.info({ event: 'relay.match', ref: refText, outcome: 'none', candidates: found.value.length }, 'no confident match');
      return { result: 'none' };
    }
    let candidate: SongRef;
    try {
      candidate = parseSongRef(match.song.ref);
    } catch {
      logger.warn({ event: 'relay.match', ref: refText, outcome: 'bad-candidate-ref', candidate: match.song.ref }, 'search listed a malformed ref');
      return { result: 'bad-candidate-ref' };
    }
    const played = await lookUpSong(candidate, match.song.ref, { deadlineAt });
    if (!played.ok) {
      const { reason } = played.failure;
      logger.info({ event: 'relay.match', ref: refText, outcome: 'candidate-unplayable', candidate: match.song.ref, reason }, 'match not playable either');
      return { result: 'candidate-unplayable' };
    }
    logger.info({ event: 'relay.match', ref: refText, outcome: 'matched', candidate: match.song.ref, score: match.score }, 'played from another provider');
    return { result: 'matched', resolution: ok({ song: asked, audio: played.value.audio, matchedFrom: { ref: match.song.ref, score: match.score } }) };
  }

  return {
    providers: PROVIDER_NAMES.filter((name) => providers[name] !== undefined),

    async resolveSong(input, songOptions = {}) {
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
      const other = ref.provider === 'local' ? undefined : searches[OTHER_PROVIDER[ref.provider]];
      const asked = resolution.ok ? undefined : resolution.failure.song;
      if (!resolution.ok && asked && other && config.match && songOptions.match !== false && MATCHABLE_REASONS.has(resolution.failure.reason)) {
        const refused = resolution;
        // Within the same lookup budget; past it, or on any surprise, the original refusal stands.
        resolution = await withDeadline(
          matchElsewhere(refText, asked, other, deadlineAt).catch((error: unknown) => {
            logger.error({ event: 'relay.match.crashed', ref: refText, err: error }, 'match failed');
            options.observer?.match?.('error');
            return undefined;
          }),
          deadlineAt + DEADLINE_GRACE_MS - now(),
          // Past the budget the refusal stands; the match reports its own end when it comes.
          () => undefined,
        ) ?? refused;
      }
      logger.info(
        {
          event: 'relay.resolve',
          ref: refText,
          outcome: resolutionOutcome(resolution),
          ...(resolution.ok
            ? { format: resolution.value.audio.format, ...(resolution.value.matchedFrom ? { matchedFrom: resolution.value.matchedFrom.ref } : {}) }
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

/** Song searches of the providers that have one: where a refused song is looked for. */
interface Searches {
  qq?: SongSearch;
  netease?: SongSearch;
}

function createProviders(config: ResolverConfig, options: ResolverOptions, now: WallClock): { providers: Providers; searches: Searches } {
  const fetchFor = (provider: string, origins: string[]) =>
    createUpstreamFetch({ allowedOrigins: origins, maxBodyBytes: config.maxUpstreamBodyBytes, now, logger: options.logger, provider, observer: options.observer });
  const { netease, qq, local } = config;
  const searches: Searches = {
    ...(netease && { netease: createNeteaseSearch({ config: netease, fetch: fetchFor('netease', [new URL(netease.baseUrl).origin]) }) }),
    ...(qq && { qq: createQqSearch({ config: qq, fetch: fetchFor('qq', qqApiOrigins(qq)) }) }),
  };
  const providers: Providers = {
    ...(netease && {
      netease: createNeteaseProvider({ config: netease, fetch: fetchFor('netease', [new URL(netease.baseUrl).origin]) }),
    }),
    ...(qq && {
      qq: createQqProvider({
        api:
          qq.api === 'qqmusicapi' && qq.qqMusicApiUrl
            ? createQqMusicApi({ config: { ...qq, qqMusicApiUrl: qq.qqMusicApiUrl }, fetch: fetchFor('qq', qqApiOrigins(qq)) })
            : createMusicuApi({ config: qq, fetch: fetchFor('qq', qqApiOrigins(qq)), guid: String(randomInt(1e9, 1e10 - 1)) }),
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
  return { providers, searches };
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
