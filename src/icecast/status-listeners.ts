/**
 * Listeners per mount from Icecast's `/status-json.xsl` body, or null when it is not Icecast's status (Icecast
 * 2.4 has been seen sending invalid JSON right after start-up). `icestats.source` is an object for one mount,
 * an array for several and absent for none; each source names its mount only inside `listenurl`.
 */
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
