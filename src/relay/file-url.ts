import { createHmac, timingSafeEqual } from 'node:crypto';
import { failed, ok, type Result } from '../result.js';
import type { WallClock } from '../time/index.js';

/**
 * Capability URLs for local files: `<publicBaseUrl>/v1/files/<token>`, the token an HMAC-signed
 * (path, expiry) pair. A worker (or ffmpeg, or got) downloads with no bearer token, and a leaked URL
 * opens one file for a limited time.
 */
/** The library path a token grants, or why it grants nothing. */
export type FileGrant = Result<{ relPath: string }, string>;

export interface FileUrlSigner {
  urlFor(relPath: string, expiresAt: number): string;
  verify(token: string): FileGrant;
}

export function createFileUrlSigner(options: { secret: string; publicBaseUrl: string; now: WallClock }): FileUrlSigner {
  const base = options.publicBaseUrl.endsWith('/') ? options.publicBaseUrl : `${options.publicBaseUrl}/`;
  const sign = (payload: string) => createHmac('sha256', options.secret).update(payload).digest();

  return {
    urlFor(relPath, expiresAt) {
      const payload = Buffer.from(JSON.stringify([relPath, Math.floor(expiresAt / 1000)])).toString('base64url');
      return new URL(`v1/files/${payload}.${sign(payload).toString('base64url')}`, base).href;
    },

    verify(token) {
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
      if (!match) return failed('malformed token');
      const [, payload = '', signature = ''] = match;
      // Compared as text: decoding would accept variants whose unused trailing bits differ.
      const expected = Buffer.from(sign(payload).toString('base64url'));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return failed('bad signature');
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return failed('malformed token');
      }
      if (!Array.isArray(claims) || typeof claims[0] !== 'string' || typeof claims[1] !== 'number') {
        return failed('malformed token');
      }
      if (claims[1] * 1000 <= options.now()) return failed('expired');
      return ok({ relPath: claims[0] });
    },
  };
}

/** The HMAC key when the operator sets none: derived from the bearer token, never the token itself. */
export function deriveFileUrlSecret(token: string): string {
  return createHmac('sha256', token).update('relaycast local file URLs').digest('hex');
}
