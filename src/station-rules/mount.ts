/** Longest mount, "/" included: room for "/live/radio.mp3" and its kin, short enough for every listing. */
export const MAX_MOUNT_LENGTH = 64;

/**
 * URL-unreserved characters (RFC 3986 2.3): the mount is then written the same in the source request, in
 * a listener's URL, in `/admin/metadata?mount=` and in Redis, with nothing to percent-encode.
 */
const PART = /^[A-Za-z0-9._~-]+$/;

const EXAMPLE = '(e.g. /radio.mp3 or /live/radio.mp3)';

/**
 * Every station's fallback mount lives under this prefix (its own mount appended), so no station may: a
 * station there would collide with another station's fallback.
 */
export const FALLBACK_MOUNT_PREFIX = '/fallback';

/** The mount Icecast moves a station's listeners to while its source is away: "/radio.mp3" → "/fallback/radio.mp3". */
export function fallbackMountOf(mount: string): string {
  return `${FALLBACK_MOUNT_PREFIX}${mount}`;
}

/**
 * Why `mount` cannot be an Icecast mount of ours (a station's or a fallback's), or undefined when it can. Icecast takes any path that starts
 * with "/", nested ones included. We also refuse "." and ".." parts, which URL parsers resolve away (a
 * listener's URL would miss the mount), and empty parts ("//", a trailing "/"), which are typos.
 */
export function mountProblem(mount: string): string | undefined {
  if (typeof mount !== 'string' || !mount.startsWith('/')) return `must start with "/" ${EXAMPLE}`;
  if (mount.length > MAX_MOUNT_LENGTH + FALLBACK_MOUNT_PREFIX.length) return `is longer than ${MAX_MOUNT_LENGTH} characters`;
  const parts = mount.slice(1).split('/');
  if (parts.some((part) => !PART.test(part) || part === '.' || part === '..')) {
    return `must be "/"-separated parts of letters, digits, ".", "_", "~" or "-", none empty, "." or ".." ${EXAMPLE}`;
  }
  return undefined;
}

/** mountProblem, and a station's mount may not be where the stations' fallback mounts live. */
export function stationMountProblem(mount: string): string | undefined {
  const problem = mountProblem(mount);
  if (problem !== undefined) return problem;
  // Room for the fallback prefix: a station's fallback mount follows the same rule as the station's.
  if (mount.length > MAX_MOUNT_LENGTH) return `is longer than ${MAX_MOUNT_LENGTH} characters`;
  if (mount.startsWith(`${FALLBACK_MOUNT_PREFIX}/`)) return `must not start with "${FALLBACK_MOUNT_PREFIX}/": the stations' fallback mounts live there`;
  return undefined;
}
