import { get } from 'node:http';
import { IcecastMetadataError } from './errors.js';
import { basicAuth, type ResolvedTarget } from './target.js';

/** Icecast confirms an update with this message; a refused one also carries `<return>1</return>`. */
const SUCCESS_MESSAGE = 'Metadata update successful';
const ANSWER_LIMIT = 4096;

/**
 * Path and query of the title update. `song` is percent-encoded UTF-8, with every character outside
 * the unreserved set encoded (also `'`, `(`, `)`, `!`, `*`, which encodeURIComponent leaves), so
 * quotes and `&` arrive as sent. With `metadataCharset: 'omit'` no `charset` is named: measured on
 * Icecast 2.4.4 the bytes then pass through unchanged whatever the mount's `<charset>`.
 */
export function metadataPath(target: ResolvedTarget, title: string): string {
  const query = [`mount=${encodeStrict(target.mount)}`, 'mode=updinfo', `song=${encodeStrict(title)}`];
  if (target.metadataCharset !== 'omit') query.push(`charset=${encodeStrict(target.metadataCharset)}`);
  return `/admin/metadata?${query.join('&')}`;
}

/** Sends one title update; resolves when Icecast confirmed it, rejects with IcecastMetadataError. */
export function sendTitle(target: ResolvedTarget, title: string, timeoutMs: number): Promise<void> {
  const { url, mount } = target;
  return new Promise((resolve, reject) => {
    const req = get(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? 80 : Number(url.port),
        path: metadataPath(target, title),
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
        response.on('error', (error) => reject(new IcecastMetadataError(mount, `title update for ${mount} failed`, { cause: error })));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const message = answerMessage(Buffer.concat(chunks).toString('utf8'));
          if (status === 200 && message === SUCCESS_MESSAGE) resolve();
          else reject(new IcecastMetadataError(mount, refusalMessage(target, status, message), { status }));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      reject(new IcecastMetadataError(mount, `title update for ${mount} failed: ${error.message}`, { cause: error })),
    );
  });
}

function refusalMessage(target: ResolvedTarget, status: number, message: string): string {
  const base = `Icecast did not take the title for ${target.mount} (${status} ${message || 'no message'})`;
  if (status === 401) {
    const setting = target.metadataUser === target.username ? 'ICECAST_SOURCE_PASSWORD' : 'ICECAST_ADMIN_PASSWORD';
    return `${base}: check ${setting}`;
  }
  if (/will not accept URL updates/i.test(message)) {
    // Source credentials only work from the source connection's IP; admin credentials work anywhere.
    return `${base}: set the Icecast admin user and password, or update from the source's address`;
  }
  if (status === 400) return `${base}: the mount has no source right now`;
  return base;
}

/** `<message>` of Icecast's XML answer, or the text of its HTML error page ("400 - Source does not exist"). */
function answerMessage(body: string): string {
  const xml = /<message>([\s\S]*?)<\/message>/i.exec(body);
  const html = /<body>([\s\S]*?)<\/body>/i.exec(body);
  const text = (xml?.[1] ?? html?.[1] ?? body).replace(/<[^>]*>/g, ' ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
