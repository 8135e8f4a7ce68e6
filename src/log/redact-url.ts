/**
 * Path segments that are credentials: the token of the relay's signed file URLs (`/v1/files/<token>`: the
 * URL alone opens the file, see src/relay/file-url.ts), and hex digests, which CDNs put in the path as a
 * signature (NetEase: `/<expiry>/<md5>/…`).
 */
const CREDENTIAL_SEGMENTS: readonly RegExp[] = [/(\/v1\/files\/)[^/]+/, /(\/)[0-9a-f]{32,}(?=\/|$)/gi];

/** The URL without user info, query string or credential path segments: what locates it, not what opens it. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = CREDENTIAL_SEGMENTS.reduce((kept, pattern) => kept.replace(pattern, '$1…'), parsed.pathname);
    return `${parsed.protocol}//${parsed.host}${path}${parsed.search ? '?…' : ''}`;
  } catch {
    return '[unparseable url]';
  }
}
