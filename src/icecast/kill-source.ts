import { adminGet, encodeStrict } from './admin-request.js';
import { IcecastAdminError } from './errors.js';
import type { ResolvedTarget } from './target.js';

/**
 * Removes whatever source holds the target's mount with Icecast's admin `killsource`: the stale connection
 * of a worker that lost the station while paused or cut off, which Icecast would keep until `source-timeout`.
 */
export async function killSource(target: ResolvedTarget, timeoutMs: number): Promise<void> {
  const { mount } = target;
  const answer = await adminGet(target, `/admin/killsource?mount=${encodeStrict(mount)}`, timeoutMs).catch((error: Error) => {
    throw new IcecastAdminError(mount, `could not ask Icecast to remove the old source of ${mount}: ${error.message}`, { cause: error });
  });
  if (answer.status === 200) return;
  const advice = answer.status === 401 ? ': set ICECAST_ADMIN_USER and ICECAST_ADMIN_PASSWORD (killsource needs the admin)' : '';
  throw new IcecastAdminError(mount, `Icecast did not remove the old source of ${mount} (${answer.status} ${answer.message || 'no message'})${advice}`, {
    status: answer.status,
  });
}
