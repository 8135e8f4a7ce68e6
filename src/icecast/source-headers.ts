import type { OutgoingHttpHeaders } from 'node:http';
import { withoutControlChars } from '../control-chars.js';
import { basicAuth, type ResolvedTarget } from './target.js';

/**
 * Headers of the source PUT. `Expect` is not here on purpose: passed to the request constructor it
 * makes Node flush the head at once, before Transfer-Encoding can be removed (see source-connection.ts).
 */
export function sourceRequestHeaders(target: ResolvedTarget): OutgoingHttpHeaders {
  const { format, ice } = target;
  const headers: OutgoingHttpHeaders = {
    Host: target.url.host,
    Authorization: basicAuth(target.username, target.password),
    // Required for PUT: without it Icecast 2.4 answers 403 "No Content-type given".
    'Content-Type': 'audio/mpeg',
    'ice-bitrate': String(format.bitrateKbps),
    'ice-audio-info': `samplerate=${format.sampleRate};channels=${format.channels};bitrate=${format.bitrateKbps}`,
    'ice-public': ice.public ? '1' : '0',
  };
  if (ice.name !== undefined) headers['ice-name'] = headerText(ice.name);
  if (ice.description !== undefined) headers['ice-description'] = headerText(ice.description);
  if (ice.genre !== undefined) headers['ice-genre'] = headerText(ice.genre);
  if (ice.url !== undefined) headers['ice-url'] = headerText(ice.url);
  return headers;
}

/**
 * Node writes header strings as latin1 and rejects other characters; Icecast copies the bytes as
 * they come. Re-spelling the UTF-8 bytes as latin1 characters puts UTF-8 on the wire, so a station
 * name in CJK reaches Icecast's status pages intact. Control characters would break the head.
 */
function headerText(value: string): string {
  return Buffer.from(withoutControlChars(value).trim(), 'utf8').toString('latin1');
}
