import type { z } from 'zod';
import { RelayAuthError, RelayResponseError, RelayUnavailableError } from './errors.js';
import { errorResponseSchema } from './schemas.js';

/** One HTTP answer of the relay, before it is interpreted. */
export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  /** For messages: the URL without query string. */
  readonly shownUrl: string;
}

export function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export function parseJson(answer: RawAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch (error) {
    throw new RelayResponseError(`the relay answered ${answer.status} with malformed JSON for ${answer.shownUrl}`, {
      url: answer.shownUrl,
      status: answer.status,
      cause: error,
    });
  }
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, answer: RawAnswer, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new RelayResponseError(`the relay sent an invalid ${what} for ${answer.shownUrl}: ${where}: ${issue?.message ?? 'invalid'}`, {
    url: answer.shownUrl,
    status: answer.status,
  });
}

/** The relay's `{error: {...}}` object, or null when the body is not one. */
export function errorBodyOf(text: string) {
  try {
    const parsed = errorResponseSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : null;
  } catch {
    return null;
  }
}

export function unexpectedStatus(answer: RawAnswer): Error {
  if (answer.status === 401 || answer.status === 403) return new RelayAuthError({ url: answer.shownUrl, status: answer.status });
  if (answer.status >= 500) {
    return new RelayUnavailableError(`the relay answered ${answer.status} for ${answer.shownUrl}`, {
      url: answer.shownUrl,
      status: answer.status,
    });
  }
  return new RelayResponseError(
    `the relay answered ${answer.status} for ${answer.shownUrl}: check --relay / RELAY_URL points at the relay`,
    { url: answer.shownUrl, status: answer.status },
  );
}
