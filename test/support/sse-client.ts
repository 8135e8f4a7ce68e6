import { get, type IncomingMessage } from 'node:http';

export interface SseMessage {
  readonly event: string;
  readonly data: string;
  /** performance.now() when the event's last line arrived. */
  readonly at: number;
}

export interface SseClient {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly events: SseMessage[];
  /** Comment lines (heartbeats) received. */
  readonly comments: string[];
  /**
   * The first event that satisfies `predicate` among those from index `from` on: by default from now on
   * (already received ones do not count); 0 to include the ones received so far.
   */
  next(predicate: (message: SseMessage) => boolean, timeoutMs: number, from?: number): Promise<SseMessage>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * A minimal EventSource over node:http: parses `event:`/`data:` lines into messages as they arrive, so a
 * test measures when each event reached the client.
 */
export function openSse(url: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (response) => {
      const events: SseMessage[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let event = 'message';
      let data: string[] = [];
      const ended = new Promise<void>((done) => {
        response.once('end', () => done());
        response.once('close', () => done());
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        for (let guard = 0; (newline = buffer.indexOf('\n')) !== -1 && guard < 100_000; guard += 1) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length > 0) events.push({ event, data: data.join('\n'), at: performance.now() });
            event = 'message';
            data = [];
            for (const waiter of waiters) waiter();
          } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
      });
      response.on('error', () => undefined);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        ended,
        next(predicate, timeoutMs, from = events.length) {
          return new Promise((found, fail) => {
            const check = () => {
              const match = events.slice(from).find(predicate);
              if (!match) return;
              clearTimeout(timer);
              waiters.delete(check);
              found(match);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.slice(from).map((e) => e.event).join(', ') || 'none'}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
