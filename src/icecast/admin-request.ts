import { get } from 'node:http';
import { basicAuth, type ResolvedTarget } from './target.js';

const ANSWER_LIMIT = 4096;

/** What Icecast answered a request of its admin interface: the status and its `<message>` (or page text). */
export interface AdminAnswer {
  readonly status: number;
  readonly message: string;
}

/**
 * One GET of Icecast's admin interface with the target's admin credentials (its source ones when no admin
 * is configured); rejects only when no answer arrives within `timeoutMs` or the connection fails.
 */
export function adminGet(target: ResolvedTarget, path: string, timeoutMs: number): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const req = get(
      {
        host: target.host,
        port: target.port,
        path,
        headers: { Authorization: basicAuth(target.metadataUser, target.metadataPassword) },
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          if (length < ANSWER_LIMIT) chunks.push(chunk);
          length += chunk.length;
        });
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, message: answerMessage(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** `<message>` of Icecast's XML answer, or the text of its HTML error page ("400 - Source does not exist"). */
function answerMessage(body: string): string {
  const xml = /<message>([\s\S]*?)<\/message>/i.exec(body);
  const html = /<body>([\s\S]*?)<\/body>/i.exec(body);
  const text = (xml?.[1] ?? html?.[1] ?? body).replace(/<[^>]*>/g, ' ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Percent-encodes every character outside the unreserved set (also `'`, `(`, `)`, `!`, `*`). */
export function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
