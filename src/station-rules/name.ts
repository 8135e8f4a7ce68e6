import { hasControlChars } from '../control-chars.js';

export const MAX_NAME_LENGTH = 64;

/**
 * Why `name` cannot name a station or a playlist, or undefined when it can: 1 to 64 characters of any
 * script. Names only key Redis entries and show in logs and listings, never in a path or a URL, so
 * "晚间 jazz" is fine; what is refused is what an admin could not see or type back.
 */
export function nameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (hasControlChars(name)) return 'contains control characters';
  // Invisible differences ("jazz" vs "jazz ") would make two names an admin cannot tell apart.
  if (name.trim() !== name) return 'has leading or trailing spaces';
  return undefined;
}
