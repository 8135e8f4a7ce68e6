import { streamFormatProblem, type StreamFormat } from '../audio/index.js';
import { ConfigError } from '../errors.js';
import { mountProblem } from '../station-rules/index.js';
import { rejectUnknownConfigKeys } from '../unknown-options.js';

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
  /** Source user; Icecast's is "source" unless the mount sets `<username>`. */
  username?: string;
  password: string;
  /** Admin credentials for title updates; without them the source credentials are used. */
  adminUser?: string;
  adminPassword?: string;
  /**
   * The `charset` parameter of title updates. 'omit' (default) sends none, and the UTF-8 bytes pass
   * through unchanged whatever the mount's `<charset>`. Measured on Icecast 2.4.4: naming UTF-8 on a
   * mount without `<charset>` turns CJK into `&#NNNN;` entities.
   */
  metadataCharset?: 'omit' | 'UTF-8' | (string & {});
  ice: IceInfo;
  format: StreamFormat;
}

/** A target after validation, defaults filled in. */
export interface ResolvedTarget {
  readonly url: URL;
  readonly mount: string;
  readonly username: string;
  readonly password: string;
  readonly metadataUser: string;
  readonly metadataPassword: string;
  readonly metadataCharset: string;
  readonly ice: Readonly<IceInfo>;
  readonly format: StreamFormat;
}

const TARGET_KEYS = new Set(['url', 'mount', 'username', 'password', 'adminUser', 'adminPassword', 'metadataCharset', 'ice', 'format']);
const ICE_KEYS = new Set(['name', 'description', 'genre', 'url', 'public']);

/** Checks a target up front, so a typo fails at start-up with its name, not as a 403 later. */
export function resolveTarget(target: IcecastTarget): ResolvedTarget {
  rejectUnknownConfigKeys('icecast', target, TARGET_KEYS);
  rejectUnknownConfigKeys('icecast.ice', target.ice ?? {}, ICE_KEYS);

  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new ConfigError('icecast.url', `"${target.url}" is not a URL; expected http://host:port`);
  }
  if (url.protocol !== 'http:') throw new ConfigError('icecast.url', `expected http://host:port, got ${url.protocol}`);
  if (url.username || url.password) {
    throw new ConfigError('icecast.url', 'must not contain credentials; set the source password separately');
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError('icecast.url', 'must be only http://host:port; the mount is set separately');
  }
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

  const username = target.username ?? 'source';
  return Object.freeze({
    url,
    mount: target.mount,
    username,
    password: target.password,
    metadataUser: target.adminUser ?? username,
    metadataPassword: target.adminPassword ?? target.password,
    metadataCharset: target.metadataCharset ?? 'omit',
    ice: Object.freeze({ ...target.ice }),
    format: target.format,
  });
}

/** `Authorization` header value for HTTP Basic auth. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
