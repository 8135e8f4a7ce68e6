import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { recordedReply, startRecordedUpstream, type UpstreamReply } from './upstream.js';

/**
 * The repo's own recorded answers (test/fixtures/recorded-upstream/): added to the read-only set in
 * ../shared, one manifest per provider (`cases-netease.json`, `cases-qq.json`, ...), all read here.
 */
export const REPO_RECORDED_DIR = fileURLToPath(new URL('../fixtures/recorded-upstream/', import.meta.url));

/** How the loopback upstream delivers a body, for the transport cases. */
export interface RecordedTransport {
  /** Sent with `Content-Encoding: gzip`. */
  gzip?: boolean;
  /** Answered as a redirect (with the case's status) to this location, with an empty body. */
  redirectTo?: string;
  /** The answer starts this late. */
  delayMs?: number;
  /** The lookup's budget (default 4000 ms). */
  deadlineMs?: number;
  /** The whole length is announced, this many bytes are sent, then the connection is reset. */
  resetAfterBytes?: number;
  /** The fetch's body limit for this case (default 2 MiB). */
  maxBodyBytes?: number;
}

export interface RepoRecordedCase {
  /** Unique across all manifests; a body file may serve several cases. */
  name: string;
  file: string;
  provider: string;
  relay: string;
  endpoint: string;
  httpStatus: number;
  contentType: string;
  kind: 'url' | 'metadata' | 'playlist' | 'any';
  /** The song the request asked for (URL answers can list several). */
  songId?: string;
  transport?: RecordedTransport;
  expect: Record<string, unknown> & { outcome?: string };
  note?: string;
}

/** Every case of every `cases*.json` in the folder, in file-name order; duplicate names fail loudly. */
export async function loadRepoRecordedCases(): Promise<RepoRecordedCase[]> {
  const manifests = (await readdir(REPO_RECORDED_DIR)).filter((name) => /^cases.*\.json$/.test(name)).sort();
  const cases: RepoRecordedCase[] = [];
  for (const manifest of manifests) {
    const text = await readFile(`${REPO_RECORDED_DIR}${manifest}`, 'utf8');
    cases.push(...(JSON.parse(text) as { cases: RepoRecordedCase[] }).cases);
  }
  const names = new Set<string>();
  for (const recorded of cases) {
    if (names.has(recorded.name)) throw new Error(`recorded case ${recorded.name} is listed twice`);
    names.add(recorded.name);
  }
  return cases;
}

/** The body's exact bytes (a byte-order mark, if any, included). */
export function readRepoRecorded(file: string): Promise<Buffer> {
  return readFile(`${REPO_RECORDED_DIR}${file}`);
}

export interface TransportUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Serves `body` for the next requests, as `recorded` says. */
  serve(recorded: RepoRecordedCase, body: Buffer): void;
  close(): Promise<void>;
}

/** A loopback HTTP server that plays one recorded answer back with its transport quirks (gzip, redirect, delay, reset). */
export async function startTransportUpstream(): Promise<TransportUpstream> {
  let current: { recorded: RepoRecordedCase; body: Buffer } | undefined;
  const upstream = await startRecordedUpstream(() => (current ? transportReply(current.recorded, current.body) : undefined));
  return {
    url: upstream.url,
    serve(recorded, body) {
      current = { recorded, body };
    },
    close: () => upstream.close(),
  };
}

function transportReply(recorded: RepoRecordedCase, body: Buffer): UpstreamReply {
  const transport = recorded.transport ?? {};
  const delay = transport.delayMs ? { delayMs: transport.delayMs } : {};
  if (transport.redirectTo) return { status: recorded.httpStatus, headers: { location: transport.redirectTo }, body: '', ...delay };
  return {
    status: recorded.httpStatus,
    contentType: recorded.contentType,
    bytes: body,
    ...(transport.gzip ? { gzip: true } : {}),
    ...(transport.resetAfterBytes === undefined ? {} : { resetAfterBytes: transport.resetAfterBytes }),
    ...delay,
  };
}

/**
 * A recorded NetEase song-URL reply (from ../shared) re-labelled for the song a test asks about: the id of
 * its first item is set to `songId`, as a server answering for that song would have it. Constructed, so
 * only for tests whose point is not the id (metadata, timing, HTTP mapping).
 */
export async function neteaseSongUrlReplyFor(file: string, songId: string, overrides: Partial<UpstreamReply> = {}): Promise<UpstreamReply> {
  const reply = await recordedReply(file, overrides);
  const body = reply.body?.replace(/^(\{"data":\s*\[?\{"id":)\d+/, `$1${songId}`);
  if (body === reply.body) throw new Error(`${file} does not start with a song-URL item id`);
  return { ...reply, body };
}
