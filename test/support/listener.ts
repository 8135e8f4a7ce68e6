import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** Audio kept in memory per listener: ~2 min at 128 kb/s; later bytes are counted, not kept. */
const AUDIO_KEEP_LIMIT = 2 * 1024 * 1024;
/** Arrival records kept per listener (one per received chunk). */
const CHUNK_RECORD_LIMIT = 20_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface ListenOptions {
  /** Ask for ICY metadata (`Icy-MetaData: 1`) and separate titles from audio. */
  icyMetadata?: boolean;
}

export interface ReceivedTitle {
  title: string;
  /** performance.now() when the metadata block arrived. */
  at: number;
  /** Audio bytes received before the metadata block: where the title sits in the audio. */
  audioOffset: number;
}

export interface ReceivedChunk {
  /** Audio bytes in this chunk (metadata excluded). */
  bytes: number;
  at: number;
}

export interface Disconnect {
  at: number;
  reason: 'end' | 'close' | 'error';
  error?: Error;
}

export interface Listener {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** `icy-metaint` when metadata was asked for and granted. */
  readonly metaint: number | undefined;
  /** Audio bytes received in total. */
  readonly byteCount: number;
  /** performance.now() of each received chunk, up to CHUNK_RECORD_LIMIT records. */
  readonly chunks: readonly ReceivedChunk[];
  /** Titles in the order they arrived; a repeated block with the same title is not recorded twice. */
  readonly titles: readonly ReceivedTitle[];
  readonly disconnected: Disconnect | undefined;
  /** The audio received, up to AUDIO_KEEP_LIMIT bytes from the start. */
  audio(): Buffer;
  waitForBytes(count: number, timeoutMs: number): Promise<void>;
  waitForTitle(predicate: (title: string) => boolean, timeoutMs: number): Promise<ReceivedTitle>;
  waitForDisconnect(timeoutMs: number): Promise<Disconnect>;
  close(): void;
}

/** The first arrival of `expected` from now on (titles already received do not count). */
export async function upcomingTitle(listener: Listener, expected: string, timeoutMs: number): Promise<ReceivedTitle> {
  const from = listener.titles.length;
  await listener.waitForTitle(() => listener.titles.slice(from).some((seen) => seen.title === expected), timeoutMs);
  return listener.titles.slice(from).find((seen) => seen.title === expected)!;
}

/** Connects as a listener to `url` (an Icecast mount) and records what arrives. Rejects on a non-200. */
export async function listen(url: string, options: ListenOptions = {}): Promise<Listener> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = get(url, { agent: false, headers: options.icyMetadata ? { 'Icy-MetaData': '1' } : {} }, resolve);
    const timer = setTimeout(() => request.destroy(new Error(`no answer from ${url} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    request.on('response', () => clearTimeout(timer));
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  if (response.statusCode !== 200) {
    response.destroy();
    throw new Error(`listener for ${url} got HTTP ${response.statusCode}`);
  }
  return new HttpListener(response, options.icyMetadata === true);
}

type Waiter = () => boolean;

class HttpListener implements Listener {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly metaint: number | undefined;
  byteCount = 0;
  readonly chunks: ReceivedChunk[] = [];
  readonly titles: ReceivedTitle[] = [];
  disconnected: Disconnect | undefined;
  readonly #response: IncomingMessage;
  readonly #audio: Buffer[] = [];
  #kept = 0;
  readonly #demuxer: IcyDemuxer | undefined;
  /** Checked after every event; a waiter returns true when it is done. */
  readonly #waiters = new Set<Waiter>();

  constructor(response: IncomingMessage, icyMetadata: boolean) {
    this.#response = response;
    this.status = response.statusCode ?? 0;
    this.headers = response.headers;
    const metaint = Number(response.headers['icy-metaint']);
    this.metaint = icyMetadata && Number.isInteger(metaint) && metaint > 0 ? metaint : undefined;
    this.#demuxer = this.metaint === undefined ? undefined : new IcyDemuxer(this.metaint);

    response.on('data', (data: Buffer) => this.#onData(data));
    response.on('end', () => this.#onDisconnect('end'));
    response.on('close', () => this.#onDisconnect('close'));
    response.on('error', (error) => this.#onDisconnect('error', error));
  }

  audio(): Buffer {
    return Buffer.concat(this.#audio);
  }

  async waitForBytes(count: number, timeoutMs: number): Promise<void> {
    await this.#waitFor(() => (this.byteCount >= count ? true : undefined), timeoutMs, () => `${count} bytes (got ${this.byteCount})`);
  }

  waitForTitle(predicate: (title: string) => boolean, timeoutMs: number): Promise<ReceivedTitle> {
    return this.#waitFor(
      () => this.titles.find((received) => predicate(received.title)),
      timeoutMs,
      () => `a matching title (got ${JSON.stringify(this.titles.map((t) => t.title))})`,
    );
  }

  waitForDisconnect(timeoutMs: number): Promise<Disconnect> {
    return this.#waitFor(() => this.disconnected, timeoutMs, () => 'the disconnect', false);
  }

  close(): void {
    this.#response.destroy();
  }

  #onData(data: Buffer): void {
    const at = performance.now();
    const parts: { audio: Buffer[]; metadata: Buffer[]; audioBefore?: number[] } = this.#demuxer ? this.#demuxer.push(data) : { audio: [data], metadata: [] };
    let bytes = 0;
    for (const audio of parts.audio) {
      bytes += audio.length;
      if (this.#kept < AUDIO_KEEP_LIMIT) {
        const kept = audio.subarray(0, AUDIO_KEEP_LIMIT - this.#kept);
        this.#audio.push(kept);
        this.#kept += kept.length;
      }
    }
    this.byteCount += bytes;
    if (bytes > 0 && this.chunks.length < CHUNK_RECORD_LIMIT) this.chunks.push({ bytes, at });
    for (const [index, block] of parts.metadata.entries()) {
      const title = streamTitle(block);
      const audioOffset = this.byteCount - bytes + (parts.audioBefore?.[index] ?? 0);
      if (title !== undefined && this.titles.at(-1)?.title !== title) this.titles.push({ title, at, audioOffset });
    }
    this.#check();
  }

  #onDisconnect(reason: Disconnect['reason'], error?: Error): void {
    if (this.disconnected) return;
    this.disconnected = error ? { at: performance.now(), reason, error } : { at: performance.now(), reason };
    this.#check();
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) if (waiter()) this.#waiters.delete(waiter);
  }

  /** Resolves with the first defined value of `probe`, re-checked on every event; bounded by timeoutMs. */
  #waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: () => string, failOnDisconnect = true): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`listener: no ${what()} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = () => {
        const value = probe();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
          return true;
        }
        if (failOnDisconnect && this.disconnected) {
          clearTimeout(timer);
          reject(new Error(`listener disconnected (${this.disconnected.reason}) before ${what()}`));
          return true;
        }
        return false;
      };
      if (!waiter()) this.#waiters.add(waiter);
    });
  }
}

/**
 * Splits an ICY stream into audio and metadata blocks, for chunks of any size: after every `metaint`
 * audio bytes comes one length byte N, then N*16 bytes of metadata (N = 0: none this time).
 */
export class IcyDemuxer {
  readonly #metaint: number;
  #audioLeft: number;
  /** Undefined while reading audio; otherwise the metadata block being read and its size. */
  #block: { data: Buffer[]; size: number; got: number } | undefined;
  #expectLength = false;

  constructor(metaint: number) {
    this.#metaint = metaint;
    this.#audioLeft = metaint;
  }

  /** `audioBefore[i]`: audio bytes of this chunk that came before metadata block i. */
  push(chunk: Buffer): { audio: Buffer[]; metadata: Buffer[]; audioBefore: number[] } {
    const audio: Buffer[] = [];
    const metadata: Buffer[] = [];
    const audioBefore: number[] = [];
    let audioBytes = 0;
    let offset = 0;
    // Each pass consumes at least one byte, so the loop ends within chunk.length passes.
    while (offset < chunk.length) {
      if (this.#expectLength) {
        const size = (chunk[offset] ?? 0) * 16;
        offset += 1;
        this.#expectLength = false;
        if (size === 0) this.#audioLeft = this.#metaint;
        else this.#block = { data: [], size, got: 0 };
      } else if (this.#block) {
        const block = this.#block;
        const take = Math.min(block.size - block.got, chunk.length - offset);
        block.data.push(chunk.subarray(offset, offset + take));
        block.got += take;
        offset += take;
        if (block.got === block.size) {
          metadata.push(Buffer.concat(block.data));
          audioBefore.push(audioBytes);
          this.#block = undefined;
          this.#audioLeft = this.#metaint;
        }
      } else {
        const take = Math.min(this.#audioLeft, chunk.length - offset);
        audio.push(chunk.subarray(offset, offset + take));
        audioBytes += take;
        this.#audioLeft -= take;
        offset += take;
        if (this.#audioLeft === 0) this.#expectLength = true;
      }
    }
    return { audio, metadata, audioBefore };
  }
}

/**
 * The StreamTitle of a metadata block, decoded as UTF-8. Icecast does not escape `'` in titles, so
 * the title runs to the last `';` before a following `StreamUrl='` key or the end (NUL padding removed).
 */
export function streamTitle(block: Buffer): string | undefined {
  const text = block.toString('utf8').replace(/\0+$/, '');
  const start = text.indexOf("StreamTitle='");
  if (start < 0) return undefined;
  const rest = text.slice(start + "StreamTitle='".length);
  const urlKey = rest.indexOf("';StreamUrl='");
  const end = urlKey >= 0 ? urlKey : rest.lastIndexOf("';");
  return end >= 0 ? rest.slice(0, end) : undefined;
}
