import { parseListeners } from '../../icecast/status-listeners.js';

/** Listener counts are a nicety of `now`: a slow or absent Icecast must not hold the command up. */
export const ICECAST_STATUS_TIMEOUT_MS = 1_500;
const MAX_STATUS_BYTES = 1024 * 1024;

/**
 * Listeners per mount from Icecast's `/status-json.xsl`, or null when Icecast cannot be asked or
 * answers nonsense. `icestats.source` is an object for one mount, an array for several and absent for
 * none; Icecast 2.4 has also been seen sending invalid JSON right after start-up.
 */
export async function fetchListeners(icecastUrl: string): Promise<Map<string, number> | null> {
  const { default: got } = await import('got');
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
