import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FileGrant } from '../file-url.js';
import type { MusicLibrary } from '../providers/local/library.js';
import { parseRange } from './range.js';
import { errorReply, sendJson } from './replies.js';

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
};

/** What the request log gets to know: the file, never the token. */
export interface FileRequestOutcome {
  status: number;
  ref?: string;
  problem?: string;
}

/**
 * `GET|HEAD /v1/files/<token>`: a library file, whole or one byte range. The token is the credential,
 * so no bearer is needed and ffmpeg or got can fetch the URL as it is.
 */
export async function serveLibraryFile(
  req: IncomingMessage,
  res: ServerResponse,
  grant: FileGrant,
  library: MusicLibrary,
): Promise<FileRequestOutcome> {
  if (!grant.ok) {
    // 403 for every bad token, expired included: workers re-resolve a song once on 403.
    sendJson(res, errorReply(403, 'unauthorized', 'file URL is invalid or expired: resolve the song again'));
    return { status: 403, problem: grant.failure };
  }
  const ref = `local:${grant.value.relPath}`;
  const file = await library.find(grant.value.relPath, 'audio');
  if (!file) {
    sendJson(res, errorReply(404, 'not-found', `${ref}: no such audio file in the music library`, { ref }));
    return { status: 404, ref };
  }

  // Size from the open handle, so the headers match the bytes sent even if the file was just replaced.
  const handle = await open(file.absPath, 'r');
  try {
    const { size, mtime } = await handle.stat();
    const range = parseRange(req.headers.range, size);
    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[/\.([^.]+)$/.exec(file.relPath)?.[1]?.toLowerCase() ?? ''] ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      'last-modified': mtime.toUTCString(),
      'cache-control': 'private, no-transform',
    };
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
      res.end();
      return { status: 416, ref };
    }
    const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, size - 1];
    const status = range.kind === 'part' ? 206 : 200;
    res.writeHead(status, {
      ...headers,
      'content-length': end - start + 1,
      ...(range.kind === 'part' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return { status, ref };
    }
    // The stream closes the handle when it ends or fails; a client hanging up mid-file is normal.
    await pipeline(handle.createReadStream({ start, end, autoClose: true }), res).catch(() => undefined);
    return { status, ref };
  } finally {
    // Closing twice is harmless; this covers the paths where no stream took the handle over.
    await handle.close().catch(() => undefined);
  }
}
