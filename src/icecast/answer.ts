import {
  IcecastAuthError,
  IcecastConnectionError,
  IcecastMountInUseError,
  IcecastRejectedError,
  type IcecastError,
} from './errors.js';

/** Longest answer body kept for classification; Icecast's reasons are one short line. */
export const ANSWER_BODY_LIMIT = 1024;

/**
 * Turns Icecast's refusal of a source into a typed error. Icecast 2.4.4 answers with a plain-text
 * reason as the body (measured): 401 "You need to authenticate", 403 "Mountpoint in use",
 * 403 "too many sources connected", 403 "No Content-type given".
 */
export function classifyAnswer(mount: string, username: string, status: number, body: string): IcecastError {
  const reason = firstLine(body);
  if (status === 401) return new IcecastAuthError(mount, username);
  if (status === 403 && /mountpoint in use/i.test(reason)) return new IcecastMountInUseError(mount);
  if (status === 403 && /too many sources/i.test(reason)) {
    return new IcecastRejectedError(mount, status, reason, 'raise <limits><sources> in icecast.xml; retrying slowly');
  }
  if (status === 403 && /content-?type/i.test(reason)) {
    return new IcecastRejectedError(mount, status, reason, 'Icecast does not accept audio/mpeg here; retrying slowly');
  }
  if (status >= 500) {
    return new IcecastConnectionError('network', mount, `Icecast failed to accept the source for ${mount} (${status} ${reason})`, {
      status,
    });
  }
  return new IcecastRejectedError(mount, status, reason || 'no reason given', 'check the mount settings in icecast.xml; retrying slowly');
}

/** Transport errors: refused (Icecast not listening, e.g. restarting) or anything else. */
export function classifyNetworkError(mount: string, baseUrl: string, error: unknown): IcecastError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code === 'ECONNREFUSED') {
    return new IcecastConnectionError('refused', mount, `Icecast at ${baseUrl} refused the connection for ${mount}: is it running?`, {
      cause: error,
    });
  }
  const what = code ?? (error instanceof Error ? error.message : String(error));
  return new IcecastConnectionError('network', mount, `lost the connection to Icecast at ${baseUrl} for ${mount} (${what})`, {
    cause: error,
  });
}

function firstLine(body: string): string {
  return (body.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim().slice(0, 200);
}
