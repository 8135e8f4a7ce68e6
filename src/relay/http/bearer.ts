import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `authorization` is `Bearer <one of tokens>` (during a token rotation the relay accepts the new and
 * the previous one). Both sides are hashed first so the comparison takes as long whatever the length of the
 * guess, and every token is compared, so the time does not tell which one matched.
 */
export function hasBearerOf(authorization: string | undefined, tokens: readonly string[]): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = sha256(given);
  return tokens.reduce((matched, token) => timingSafeEqual(digest, sha256(token)) || matched, false);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
