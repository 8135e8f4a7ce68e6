import { z } from 'zod';
import { DEFAULT_STREAM_FORMAT, STREAM_CHANNELS } from '../audio/format.js';
import { DEFAULT_LOUDNESS_TARGET_LUFS, loudnessTargetProblem } from '../audio/loudness.js';
import { MPEG1_BITRATES_KBPS, MPEG1_SAMPLE_RATES, mpeg1BitrateIndex, mpeg1SampleRateIndex } from '../audio/mpeg1.js';
import { DEFAULT_METADATA_CHARSET, DEFAULT_SOURCE_USER, icecastUrlProblem } from '../icecast/index.js';
import { crossfadeProblem, DEFAULT_CROSSFADE_SECONDS, iceTextProblem, nameProblem, stationMountProblem } from '../station-rules/index.js';

/** A text checked by one of the shared rules, which says what is wrong with it or nothing. */
const ruledText = (problemOf: (text: string) => string | undefined) =>
  z.string().superRefine((text, context) => {
    const problem = problemOf(text);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: text });
  });

const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'must be an http:// or https:// URL');

/** A number audio's format rule accepts (`accepts`), the message listing every value it does. */
const oneOf = (values: readonly number[], accepts: (value: number) => boolean) =>
  z.number().refine(accepts, `must be one of ${values.join(', ')}`);

/** audio's format rule (streamFormatProblem) field by field, so an issue names the field that is wrong. */
export const streamFormatSchema = z
  .object({
    bitrateKbps: oneOf(MPEG1_BITRATES_KBPS, (value) => mpeg1BitrateIndex(value) !== undefined).default(DEFAULT_STREAM_FORMAT.bitrateKbps),
    sampleRate: oneOf(MPEG1_SAMPLE_RATES, (value) => mpeg1SampleRateIndex(value) !== undefined).default(DEFAULT_STREAM_FORMAT.sampleRate),
    channels: z.literal(STREAM_CHANNELS).default(DEFAULT_STREAM_FORMAT.channels),
  })
  .strict();

const songEntrySchema = z.union([
  z.string().min(1),
  z
    .object({
      input: z.string().min(1),
      title: z.string().max(500).optional(),
      artist: z.string().max(500).optional(),
      album: z.string().max(500).optional(),
    })
    .strict(),
]);

export const stationSchema = z
  .object({
    name: ruledText(nameProblem),
    mount: ruledText(stationMountProblem),
    format: streamFormatSchema.default(DEFAULT_STREAM_FORMAT),
    ice: z
      .object({
        name: ruledText(iceTextProblem).optional(),
        description: ruledText(iceTextProblem).optional(),
        genre: ruledText(iceTextProblem).optional(),
        url: httpUrl.optional(),
        public: z.boolean().optional(),
      })
      .strict()
      .default({}),
    /** How titles are sent to /admin/metadata: see DEFAULT_METADATA_CHARSET. */
    metadataCharset: z.string().regex(/^(omit|[A-Za-z0-9_-]{1,32})$/).default(DEFAULT_METADATA_CHARSET),
    /** Songs played in order, looping: file paths, http(s) URLs or song refs (`local:`, `qq:`, `netease:`). */
    songs: z.array(songEntrySchema).max(100_000).default([]),
    /** An .m3u/.m3u8 file whose entries are added after `songs`. */
    playlistFile: z.string().min(1).optional(),
    /** Loudness target in LUFS, or "off": as `relaycast station set <station> loudness=`. */
    loudness: z
      .union([z.literal('off'), z.number().superRefine((value, context) => {
        const problem = loudnessTargetProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })])
      .default(DEFAULT_LOUDNESS_TARGET_LUFS),
    /** Seconds songs overlap at each join, 0 for gapless joins: as `relaycast station set <station> crossfade=`. */
    crossfade: z
      .number()
      .superRefine((value, context) => {
        const problem = crossfadeProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .default(DEFAULT_CROSSFADE_SECONDS),
  })
  .strict();

export const configSchema = z
  .object({
    icecast: z
      .object({
        url: ruledText(icecastUrlProblem),
        username: z.string().min(1).default(DEFAULT_SOURCE_USER),
        sourcePassword: z.string().min(1, 'is required'),
        adminUser: z.string().min(1).optional(),
        adminPassword: z.string().min(1).optional(),
      })
      .strict(),
    stations: z.array(stationSchema).max(200).default([]),
    relay: z
      .object({ url: httpUrl.optional(), token: z.string().min(1).optional() })
      .strict()
      .default({}),
    redis: z.object({ url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional() }).strict().default({}),
    musicDir: z.string().min(1).optional(),
    cacheDir: z.string().min(1).optional(),
    /** Bound of the transcoded-audio cache in CACHE_DIR, in MiB (about 1 MiB per minute at 128 kb/s). */
    cacheMaxMb: z.number().int().min(16).max(10_000_000).default(2048),
    /**
     * Longest silence a station sends while a playable song is on its list: past it, whatever keeps it
     * silent is put aside and the next song played. Above the stage deadlines (8 s) so they act first.
     */
    silenceBudgetSec: z.number().min(3).max(120).default(10),
    /** A worker that plays stations, or one that only feeds their fallback mounts (so they outlive a lone player's restarts). */
    workerRole: z.enum(['player', 'fallback']).default('player'),
    /** Prometheus metrics at GET /metrics on a port of their own; off while `port` is unset. */
    metrics: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).optional(),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.workerRole === 'fallback' && !config.redis.url) {
      context.addIssue({ code: 'custom', path: ['workerRole'], message: 'a fallback worker feeds the fallbacks of the stations stored in Redis: set REDIS_URL' });
    }
    const seen = new Map<string, number>();
    config.stations.forEach((station, index) => {
      for (const key of ['name', 'mount'] as const) {
        const previous = seen.get(`${key}:${station[key]}`);
        if (previous !== undefined) {
          context.addIssue({ code: 'custom', path: ['stations', index, key], message: `duplicates stations[${previous}].${key}` });
        }
        seen.set(`${key}:${station[key]}`, index);
      }
    });
  });

type ValidatedConfig = z.infer<typeof configSchema>;

/**
 * The validated config, plus where each secret that may change was read from: set by loadConfig when the value
 * came from NAME_FILE (never from the JSON), so the running worker reads the file again when it changes.
 */
export type Config = ValidatedConfig & {
  icecast: ValidatedConfig['icecast'] & { sourcePasswordFile?: string; adminPasswordFile?: string };
  relay: ValidatedConfig['relay'] & { tokenFile?: string };
};
export type StationConfig = z.infer<typeof stationSchema>;
