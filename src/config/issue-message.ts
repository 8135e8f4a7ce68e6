import type { z } from 'zod';
import { quoteInput } from '../errors.js';

/** Keys whose values never appear in a message (stderr lands in logs). */
const SECRET_KEY = /password|token/i;

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  string: 'a text',
  object: 'an object',
  array: 'a list',
};

/**
 * What is wrong with the value of a config issue, in the operator's words: what the value must be and,
 * unless it is a secret, what it was ("must be one of 32, 40, …, got -128"). zod's own messages
 * ("Invalid input") say neither.
 */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown key';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  const secret = issue.path.some((part) => SECRET_KEY.test(String(part)));
  const got = secret || !('input' in issue) ? '' : `, got ${shown(issue.input)}`;
  return `${requirement(issue)}${got}`;
}

function requirement(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(shown).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string' ? `must not be empty` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return quoteInput(withoutCredentials(value));
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** A URL's user and password are secrets whatever key holds the URL (an icecast.url refused for carrying them). */
function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1…@');
}
