import { streamFormatProblem, type StreamFormat } from '../audio/index.js';
import { ConfigError } from '../errors.js';
import { mountProblem } from '../station-rules/index.js';
import { rejectUnknownConfigKeys } from '../unknown-options.js';
import { DEFAULT_METADATA_CHARSET, DEFAULT_SOURCE_USER } from './defaults.js';

/** Directory information Icecast shows for the stream (`ice-*` request headers). */
export interface IceInfo {
  name?: string;
  description?: string;
  genre?: string;
  url?: string;
  /** List the stream in public directories (YP). */
  public?: boolean;
}

/** Where and how one station pushes its stream. */
export interface IcecastTarget {
  /** Icecast's base URL, `http://host:port`, without credentials. */
  url: string;
  /** The mount, starting with "/": "/radio.mp3". */
  mount: string;
  /** Source user; DEFAULT_SOURCE_USER unless the mount sets `<username>`. */
  username?: string;
  password: string;
  /** Admin credentials for title updates; without them the source credentials are used. */
  adminUser?: string;
  adminPassword?: string;
  /** The `charset` parameter of title updates; see DEFAULT_METADATA_CHARSET for why 'omit' is the default. */
  metadataCharset?: 'omit' | 'UTF-8' | (string & {});
  ice: IceInfo;
  format: StreamFormat;
}

/** A target after validation, defaults filled in. */
export interface ResolvedTarget {
  readonly url: URL;
  /** Where to connect: the URL's host without IPv6 brackets, and its port (80 when none is written). */
  readonly host: string;
  readonly port: number;
  readonly mount: string;
  readonly username: string;
  readonly password: string;
  /** False: no admin user is configured, and title updates go with the source credentials. */
  readonly hasAdmin: boolean;
  readonly metadataUser: string;
  readonly metadataPassword: string;
  readonly metadataCharset: string;
  readonly ice: Readonly<IceInfo>;
  readonly format: StreamFormat;
}

const TARGET_KEYS = new Set(['url', 'mount', 'username', 'password', 'adminUser', 'adminPassword', 'metadataCharset', 'ice', 'format']);
const ICE_KEYS = new Set(['name', 'description', 'genre', 'url', 'public']);

/**
 * Why `text` cannot be Icecast's base URL, or undefined when it can. The source connection speaks plain
 * HTTP to host:port and appends the mount itself, so a scheme, path or credentials in the URL would be
 * ignored or sent somewhere unintended.
 */
export function icecastUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'is not a URL; expected http://host:port';
  const url = new URL(text);
  if (url.protocol !== 'http:') return `must be http://host:port: Icecast sources speak plain HTTP, not ${url.protocol}`;
  if (url.username || url.password) return 'must not contain credentials; set the source password separately';
  if (url.pathname !== '/' || url.search || url.hash) return 'must be only http://host:port; the mount is set separately';
  return undefined;
}

/** Checks a target up front, so a typo fails at start-up with its name, not as a 403 later. */
export function resolveTarget(target: IcecastTarget): ResolvedTarget {
  rejectUnknownConfigKeys('icecast', target, TARGET_KEYS);
  rejectUnknownConfigKeys('icecast.ice', target.ice ?? {}, ICE_KEYS);

  const badUrl = icecastUrlProblem(target.url);
  if (badUrl) throw new ConfigError('icecast.url', badUrl);
  const badMount = mountProblem(target.mount);
  if (badMount) throw new ConfigError('icecast.mount', `"${target.mount}" ${badMount}`);
  if (typeof target.password !== 'string' || target.password === '') {
    throw new ConfigError('icecast.password', 'the source password is empty');
  }
  if ((target.adminUser === undefined) !== (target.adminPassword === undefined)) {
    throw new ConfigError('icecast.adminPassword', 'give both the admin user and the admin password, or neither');
  }
  const formatProblem = streamFormatProblem(target.format);
  if (formatProblem) throw new ConfigError('icecast.format', formatProblem);

  const username = target.username ?? DEFAULT_SOURCE_USER;
  const url = new URL(target.url);
  return Object.freeze({
    url,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 80 : Number(url.port),
    mount: target.mount,
    username,
    password: target.password,
    hasAdmin: target.adminUser !== undefined,
    metadataUser: target.adminUser ?? username,
    metadataPassword: target.adminPassword ?? target.password,
    metadataCharset: target.metadataCharset ?? DEFAULT_METADATA_CHARSET,
    ice: Object.freeze({ ...target.ice }),
    format: target.format,
  });
}

/** `Authorization` header value for HTTP Basic auth. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
