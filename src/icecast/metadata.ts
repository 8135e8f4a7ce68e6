import { adminGet, encodeStrict } from './admin-request.js';
import { IcecastMetadataError } from './errors.js';
import type { ResolvedTarget } from './target.js';

/** Icecast confirms an update with this message; a refused one also carries `<return>1</return>`. */
const SUCCESS_MESSAGE = 'Metadata update successful';

/**
 * Path and query of the title update. `song` is percent-encoded UTF-8, with every character outside
 * the unreserved set encoded (also `'`, `(`, `)`, `!`, `*`, which encodeURIComponent leaves), so
 * quotes and `&` arrive as sent. With `metadataCharset: 'omit'` no `charset` is named: measured on
 * Icecast 2.4.4 the bytes then pass through unchanged whatever the mount's `<charset>`.
 */
export function metadataPath(target: ResolvedTarget, title: string): string {
  const query = [`mount=${encodeStrict(target.mount)}`, 'mode=updinfo', `song=${encodeStrict(title)}`];
  if (target.metadataCharset !== 'omit') query.push(`charset=${encodeStrict(target.metadataCharset)}`);
  return `/admin/metadata?${query.join('&')}`;
}

/** Sends one title update; resolves when Icecast confirmed it, rejects with IcecastMetadataError. */
export async function sendTitle(target: ResolvedTarget, title: string, timeoutMs: number): Promise<void> {
  const { mount } = target;
  const answer = await adminGet(target, metadataPath(target, title), timeoutMs).catch((error: Error) => {
    throw new IcecastMetadataError(mount, `title update for ${mount} failed: ${error.message}`, { cause: error });
  });
  if (answer.status !== 200 || answer.message !== SUCCESS_MESSAGE) {
    throw new IcecastMetadataError(mount, refusalMessage(target, answer.status, answer.message), { status: answer.status });
  }
}

function refusalMessage(target: ResolvedTarget, status: number, message: string): string {
  const base = `Icecast did not take the title for ${target.mount} (${status} ${message || 'no message'})`;
  if (status === 401) {
    const setting = target.metadataUser === target.username ? 'ICECAST_SOURCE_PASSWORD' : 'ICECAST_ADMIN_PASSWORD';
    return `${base}: check ${setting}`;
  }
  if (/will not accept URL updates/i.test(message)) {
    // Source credentials only work from the source connection's IP; admin credentials work anywhere.
    return `${base}: set the Icecast admin user and password, or update from the source's address`;
  }
  if (status === 400) return `${base}: the mount has no source right now`;
  return base;
}
