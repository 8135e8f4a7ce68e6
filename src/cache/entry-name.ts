import { createHash, randomBytes } from 'node:crypto';

/**
 * File names in the cache directory. Song refs contain ':' and '/' and can be long, so the name is a hash
 * of (ref, format key); the entry's header repeats both, so a hash collision reads as "not this entry".
 */
const HASH_HEX_CHARS = 40;
export const ENTRY_FILE_PATTERN = /^[0-9a-f]{40}\.rcaf$/;
export const TEMP_FILE_PATTERN = /^[0-9a-f]{40}\.[0-9a-f]{12}\.tmp$/;

export function entryFileName(ref: string, formatKey: string): string {
  // A newline cannot occur in a format key, so (ref, key) pairs map to distinct hash inputs.
  const hash = createHash('sha256').update(`${formatKey}\n${ref}`).digest('hex').slice(0, HASH_HEX_CHARS);
  return `${hash}.rcaf`;
}

/** A unique temp name beside the entry, renamed onto it when complete. */
export function tempFileName(entryName: string): string {
  return `${entryName.slice(0, HASH_HEX_CHARS)}.${randomBytes(6).toString('hex')}.tmp`;
}
