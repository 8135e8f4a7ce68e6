import { hasControlChars } from '../control-chars.js';

/** Longest ice-name, ice-description or ice-genre: each travels to Icecast in one HTTP request header. */
export const MAX_ICE_TEXT_LENGTH = 256;

/**
 * Why `text` cannot be a station's ice-name, ice-description or ice-genre, or undefined when it can. A
 * control character would break the header line it travels in, and players show these texts as given.
 */
export function iceTextProblem(text: string): string | undefined {
  if (text.length > MAX_ICE_TEXT_LENGTH) return `is longer than ${MAX_ICE_TEXT_LENGTH} characters`;
  if (hasControlChars(text)) return 'contains control characters';
  return undefined;
}
