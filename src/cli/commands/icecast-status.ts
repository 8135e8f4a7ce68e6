import got from 'got';

/** Listener counts are a nicety of `now`: a slow or absent Icecast must not hold the command up. */
export const ICECAST_STATUS_TIMEOUT_MS = 1_500;
const MAX_STATUS_BYTES = 1024 * 1024;

/**
 * Listeners per mount from Icecast's `/status-json.xsl`, or null when Icecast cannot be asked or
 * answers nonsense. `icestats.source` is an object for one mount, an array for several and absent for
 * none; Icecast 2.4 has also been seen sending invalid JSON right after start-up.
 */
export async function fetchListeners(icecastUrl: string): Promise<Map<string, number> | null> {
  let body: string;
  try {
    const url = new URL('status-json.xsl', icecastUrl.endsWith('/') ? icecastUrl : `${icecastUrl}/`);
    const response = await got(url, {
      timeout: { lookup: ICECAST_STATUS_TIMEOUT_MS, connect: ICECAST_STATUS_TIMEOUT_MS, request: ICECAST_STATUS_TIMEOUT_MS },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
    });
    if (response.statusCode !== 200 || response.body.length > MAX_STATUS_BYTES) return null;
    body = response.body;
  } catch {
    return null;
  }
  return parseListeners(body);
}

export function parseListeners(body: string): Map<string, number> | null {
  let status: unknown;
  try {
    status = JSON.parse(body);
  } catch {
    return null;
  }
  const icestats = (status as { icestats?: unknown } | null)?.icestats;
  if (!icestats || typeof icestats !== 'object') return null;
  const source = (icestats as { source?: unknown }).source;
  const sources = source === undefined || source === null ? [] : Array.isArray(source) ? source : [source];
  const listeners = new Map<string, number>();
  for (const entry of sources) {
    if (!entry || typeof entry !== 'object') continue;
    const { listenurl, listeners: count } = entry as { listenurl?: unknown; listeners?: unknown };
    if (typeof listenurl !== 'string' || typeof count !== 'number' || !Number.isFinite(count)) continue;
    try {
      listeners.set(new URL(listenurl).pathname, count);
    } catch {
      // A listenurl that is not a URL names no mount we know.
    }
  }
  return listeners;
}
