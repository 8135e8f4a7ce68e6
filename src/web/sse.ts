/**
 * Server-Sent Events framing (HTML Living Standard, "Server-sent events", 9.2.5 parsing an event stream):
 * an event is `event:` and `data:` lines ended by a blank line; a line starting with `:` is a comment that
 * clients ignore, which keeps proxies from closing an idle stream.
 */

/** One event; every line of `data` becomes its own `data:` line (a bare newline would end the field). */
export function sseEvent(event: string, data: string): string {
  if (/[\r\n]/.test(event)) throw new Error('an SSE event name cannot span lines');
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
  return `event: ${event}\n${lines.join('\n')}\n\n`;
}

export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Seconds between heartbeat comments on an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;

/** Event streams open at once per process; the next one gets 503. */
export const MAX_SSE_CLIENTS = 1_000;

/** Asks the browser to reconnect this soon after the stream drops (the `retry:` field, in ms). */
export const SSE_RETRY_MS = 2_000;
