import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { isAddressOrRange } from './http/client-address.js';
import { QQ_QUALITIES, type QqQuality } from './providers/qq/file-name.js';

/**
 * Every relay setting and its default, in one place. The CLI loads the operator's file and env into
 * this shape; `parseRelayConfig` validates it once at start-up and rejects unknown keys.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** Seconds a URL is assumed to stay valid when the upstream does not say: short, so workers re-resolve early. */
const ASSUMED_URL_TTL_SEC = 600;

/** Every way trustProxy can be wrong gets this message: zod's own would speak of one branch of the union. */
const TRUST_PROXY_HINT = {
  error: 'expected a number of proxy hops (1-10) or a list of proxy addresses or CIDR ranges, e.g. 1 or ["10.0.0.2", "10.1.0.0/16"]',
};

/** Proxies whose X-Forwarded-For the rate limit believes: a number of hops, or their addresses/CIDR ranges. */
export const TrustProxySchema = z.union(
  [
    z.int(TRUST_PROXY_HINT).min(1, TRUST_PROXY_HINT).max(10, TRUST_PROXY_HINT),
    z.array(z.string().refine(isAddressOrRange, TRUST_PROXY_HINT), TRUST_PROXY_HINT).min(1, TRUST_PROXY_HINT).max(100, TRUST_PROXY_HINT),
  ],
  TRUST_PROXY_HINT,
);

export const LocalConfigSchema = z.strictObject({
  /** Folder of audio files (and .m3u/.m3u8 playlists) on the relay host. */
  musicDir: z.string().min(1),
  /** Lifetime of the signed URLs the relay gives out for local files. */
  fileUrlTtlSec: z.int().min(60).max(7 * 24 * 3600).default(6 * 3600),
});

export const NeteaseConfigSchema = z.strictObject({
  /** Base URL of a NeteaseCloudMusicApi-compatible server, e.g. `http://127.0.0.1:3000/`. */
  baseUrl: httpUrl,
  /** `v1`: `/song/url/v1?level=` (NeteaseCloudMusicApi 4.x and later); `legacy`: `/song/url?br=`. */
  songUrlApi: z.enum(['v1', 'legacy']).default('v1'),
  level: z.enum(['standard', 'higher', 'exhigh', 'lossless']).default('exhigh'),
  /** A mainland address sent as `realIP=`: NeteaseCloudMusicApi's documented workaround for -460 Cheating. */
  realIp: z.ipv4().optional(),
  /** NeteaseCloudMusicApi caches answers for 2 minutes; URL expiries are shortened by this much. */
  upstreamCacheSec: z.int().min(0).max(3600).default(120),
  assumedUrlTtlSec: z.int().min(1).default(ASSUMED_URL_TTL_SEC),
});

export const QqConfigSchema = z
  .strictObject({
    /** `musicu`: QQ's own musicu.fcg (needs a mainland address); `qqmusicapi`: a jsososo/QQMusicApi server. */
    api: z.enum(['musicu', 'qqmusicapi']).default('musicu'),
    musicuUrl: httpUrl.default('https://u.y.qq.com/cgi-bin/musicu.fcg'),
    songlistUrl: httpUrl.default('https://c.y.qq.com/qzone/fcg-bin/fcg_ucc_getcdinfo_byids_cp.fcg'),
    /** Base URL of the jsososo/QQMusicApi server, for `api: qqmusicapi`. */
    qqMusicApiUrl: httpUrl.optional(),
    /** File quality asked of musicu.fcg; C400 (96k AAC) is the one most songs have without a VIP login. */
    quality: z.enum(Object.keys(QQ_QUALITIES) as [QqQuality, ...QqQuality[]]).default('C400'),
    /** Stream host used when QQ lists none (`sip: []`), e.g. `http://isure.stream.qqmusic.qq.com/`. */
    fallbackSip: httpUrl.optional(),
    /** QQ requests fail now and then for no stated reason: tries per request, the first included. */
    attempts: z.int().min(1).max(5).default(3),
    assumedUrlTtlSec: z.int().min(1).default(ASSUMED_URL_TTL_SEC),
  })
  .refine((qq) => qq.api !== 'qqmusicapi' || qq.qqMusicApiUrl !== undefined, {
    path: ['qqMusicApiUrl'],
    message: 'needed when api is qqmusicapi',
  });

/** What the in-process resolver needs: a provider runs when its section is present. */
export const ResolverConfigSchema = z.strictObject({
  local: LocalConfigSchema.optional(),
  netease: NeteaseConfigSchema.optional(),
  qq: QqConfigSchema.optional(),
  timeouts: z
    .strictObject({
      /** Budget of one song or playlist lookup, upstream retries included: relay clients give up after 3-5 s. */
      lookupMs: z.int().min(100).max(60_000).default(4000),
    })
    .prefault({}),
  /** Upstream bodies past this size are aborted (a 1000-song QQ list is about 800 KB). */
  maxUpstreamBodyBytes: z.int().min(1024).default(2 * 1024 * 1024),
  /**
   * Cross-provider match: a NetEase song without rights (or a QQ one) is searched on the other service and,
   * only when the same recording is found with confidence, played from there. A request can turn it off
   * (`?match=0`); with `false` here no request gets it.
   */
  match: z.boolean().default(true),
});

export const RelayConfigSchema = ResolverConfigSchema.extend({
  /** Bearer token every client must send. */
  token: z.string().min(16, 'use at least 16 characters'),
  /**
   * The file `token` was read from (RELAY_TOKEN_FILE): read again when it changes, so a token rotated by
   * `relaycast setup` is accepted without a restart.
   */
  tokenFile: z.string().min(1).optional(),
  /**
   * After the token file changed, the previous token is still accepted this long: workers read their copy of
   * the file only when they next ask (or when refused), and are not turned away mid-rotation.
   */
  tokenGraceSec: z.number().min(0).max(3600).default(60),
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(8780),
    })
    .prefault({}),
  /** `GET /metrics` (Prometheus) on this port of `listen.host`; unset, no metrics are served. */
  metrics: z.strictObject({ port: z.int().min(1).max(65535) }).optional(),
  /** Where workers reach this relay (`https://relay.example.com/`); local-file URLs are built on it. */
  publicBaseUrl: httpUrl.optional(),
  /** Key of the HMAC on local-file URLs; derived from `token` when unset. */
  fileUrlSecret: z.string().min(16).optional(),
  /** Unset: X-Forwarded-For is ignored and every client is its TCP peer address (the reverse proxy's, behind one). */
  trustProxy: TrustProxySchema.optional(),
  /** Token buckets per client address, one set for authenticated requests and another for anonymous ones. */
  rateLimit: z
    .strictObject({
      /** Sustained requests per second per client address. */
      perSecond: z.number().positive().max(1000).default(5),
      /** Requests a client may make at once before the sustained rate applies. */
      burst: z.int().min(1).max(10_000).default(30),
      /** Client addresses remembered; the least recently seen is forgotten first. */
      maxClients: z.int().min(1).max(1_000_000).default(10_000),
    })
    .prefault({}),
}).refine((config) => !config.local || config.publicBaseUrl !== undefined, {
  path: ['publicBaseUrl'],
  message: 'needed to give out URLs of local files: the address where workers reach this relay',
});

export type ResolverConfig = z.output<typeof ResolverConfigSchema>;
export type ResolverConfigInput = z.input<typeof ResolverConfigSchema>;
export type RelayConfig = z.output<typeof RelayConfigSchema>;
export type RelayConfigInput = z.input<typeof RelayConfigSchema>;
export type LocalConfig = z.output<typeof LocalConfigSchema>;
export type NeteaseConfig = z.output<typeof NeteaseConfigSchema>;
export type QqConfig = z.output<typeof QqConfigSchema>;

export function parseRelayConfig(input: unknown): RelayConfig {
  return parseWith(RelayConfigSchema, input);
}

export function parseResolverConfig(input: unknown): ResolverConfig {
  return parseWith(ResolverConfigSchema, input);
}

/** The first problem as a ConfigError naming the key the way the operator wrote it (`netease.baseUrl`). */
function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(issue?.path.join('.') || '(relay config)', issue?.message ?? 'invalid');
}
