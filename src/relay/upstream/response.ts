import type { z } from 'zod';
import { failed, ok } from '../../result.js';
import type { Parsed, UnplayableReason } from '../providers/provider.js';

/** One upstream HTTP answer, as the parsers see it: they are pure functions of these values. */
export interface UpstreamResponse {
  status: number;
  contentType: string;
  bodyText: string;
  /** Epoch ms when the body arrived; expiries in the body count from here. */
  fetchedAt: number;
  /** The `Location` of a redirect (never followed), to say where the base URL should point. */
  location?: string;
}

/** The upstream could not tell whether the song plays (it failed, or answered something unreadable). */
export function upstreamError(detail: string, retryable: boolean): Parsed<never> {
  return failed({ reason: 'upstream-error', retryable, detail });
}

/** A definite "no" from the upstream (rights, trial, delisting): asking again will not change it. */
export function refused(reason: Exclude<UnplayableReason, 'upstream-error'>, detail: string, retryable = false): Parsed<never> {
  return failed({ reason, retryable, detail });
}

/**
 * Statuses after which the same request may well succeed: gateway trouble (502/503/504 from an nginx in
 * front of a relay), overload, timeouts. A 404 or 400 with a non-JSON body means a wrong base URL or path:
 * repeating it only hammers the upstream. This is the one rule, for every provider, for any answer the
 * relay cannot use (HTML page, oversized body, unexpected shape); only a body cut short on the way
 * (JSON that ends early, reset, timeout) is retryable whatever the status.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A UTF-8 byte-order mark, which JSON parsers may ignore (RFC 8259 §8.1) and some PHP/IIS relays send. */
const BYTE_ORDER_MARK = '\uFEFF';

/** The body as JSON, or an upstream-error that says what came instead (HTML error pages, truncated bodies). */
export function readJson(response: UpstreamResponse): Parsed<unknown> {
  const text = response.bodyText.startsWith(BYTE_ORDER_MARK) ? response.bodyText.slice(1) : response.bodyText;
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    const { status } = response;
    if (status >= 300 && status < 400) {
      const where = response.location ? ` to ${response.location}` : '';
      return upstreamError(`upstream redirected (HTTP ${status}${where}): set the base URL to the address it redirects to`, false);
    }
    const type = response.contentType.split(';')[0]?.trim() || 'no content type';
    // JSON that ends early (or nothing at all) on a 2xx was cut short on the way: worth another try.
    // Anything else (an HTML page, say) is what that address serves: it follows the status.
    const cutShort = status >= 200 && status < 300 && /^\s*([[{]|$)/.test(text);
    const what = cutShort ? 'an incomplete JSON body' : `a ${type} body instead of JSON`;
    return upstreamError(`upstream answered HTTP ${status} with ${what}`, cutShort || isRetryableStatus(status));
  }
}

/** The JSON checked against the fields a parser relies on; unknown extra fields are ignored. */
export function readShape<T>(response: UpstreamResponse, schema: z.ZodType<T>, what: string): Parsed<T> {
  const json = readJson(response);
  if (!json.ok) return json;
  const checked = schema.safeParse(json.value);
  if (checked.success) return ok(checked.data);
  const issue = checked.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  return upstreamError(
    `unexpected ${what} (HTTP ${response.status}): ${where}: ${issue?.message ?? 'invalid'}`,
    isRetryableStatus(response.status),
  );
}

/** For a JSON body the parser does not recognise as an answer, on a non-2xx status. */
export function statusFailure(response: UpstreamResponse, what: string): Parsed<never> {
  return upstreamError(`${what}: upstream answered HTTP ${response.status}`, isRetryableStatus(response.status));
}
