import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { MAX_BATCH_FRAMES, type Mp3Frame } from './frame.js';
import { id3v2TagAt } from './id3v2.js';
import { isInfoFrame, parseMp3Header, type Mp3Header } from './mp3-header.js';

export type Mp3FrameSplitterOptions = Pick<
  TransformOptions,
  'readableHighWaterMark' | 'writableHighWaterMark' | 'emitClose' | 'signal'
>;

/**
 * Bytes of an MPEG audio stream in, whole frames out in batches (`Mp3FrameBatch`: the frames found in
 * one chunk written, MAX_BATCH_FRAMES at most per batch), whatever the chunk boundaries. A header is
 * trusted only when another header of the same stream follows at the length it announces (or the input
 * ends right after its frame), so bytes that merely look like a header are skipped; ID3v2 tags are
 * skipped, and so is the Xing/Info/VBRI frame an encoder writes first.
 *
 * Written here rather than taken from codec-parser (used until 2026-12): on the cold path every song's
 * frames pass through it at ffmpeg's full speed, and codec-parser allocated ~8 MB per 33 s song (a
 * generator, header objects and views per frame, an ID3 check at every frame), which the worker paid in
 * garbage collection. This allocates a header per frame and one buffer per batch.
 */
export class Mp3FrameSplitter extends Transform {
  /** Input not yet split: less than a frame and the next header; bounded by the largest frame. */
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of an ID3v2 tag still to drop (a tag may span chunks). */
  private skipBytes = 0;

  constructor(options: Mp3FrameSplitterOptions = {}) {
    super({ ...options, writableObjectMode: false, readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const dropped = Math.min(this.skipBytes, chunk.length);
    this.skipBytes -= dropped;
    const input = dropped > 0 ? chunk.subarray(dropped) : chunk;
    this.pending = this.pending.length === 0 ? input : Buffer.concat([this.pending, input]);
    this.split(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.split(true);
    this.pending = Buffer.alloc(0);
    callback();
  }

  /** Hands out every trusted frame in `pending` and keeps the rest; at the end, a last frame needs no header after it. */
  private split(atEnd: boolean): void {
    const bytes = this.pending;
    const frames: { start: number; header: Mp3Header }[] = [];
    let offset = 0;
    // The header the previous frame's check already read at `offset`: each header is parsed once.
    let checked: Mp3Header | undefined;
    while (offset < bytes.length) {
      const header = checked ?? parseMp3Header(bytes, offset);
      checked = undefined;
      if (!header) {
        const tag = id3v2TagAt(bytes, offset);
        if (tag === 'more' || (tag === undefined && bytes.length - offset < 4)) break; // too few bytes to tell
        if (tag === undefined) {
          offset = nextSyncCandidate(bytes, offset + 1);
          continue;
        }
        this.skipBytes = Math.max(0, offset + tag - bytes.length);
        offset = Math.min(bytes.length, offset + tag);
        continue;
      }
      const end = offset + header.frameLength;
      if (end > bytes.length) break; // the rest of the frame is still to come (or, at the end, never will)
      if (end + 4 > bytes.length && !atEnd) break; // the next header decides whether this frame is one
      const next = end + 4 <= bytes.length ? parseMp3Header(bytes, end) : undefined;
      if (end + 4 <= bytes.length && !sameStream(header, next)) {
        offset = nextSyncCandidate(bytes, offset + 1);
        continue;
      }
      if (!isInfoFrame(bytes, offset, header)) frames.push({ start: offset, header });
      checked = next;
      offset = end;
    }
    this.pushBatches(bytes, frames);
    this.pending = offset >= bytes.length ? Buffer.alloc(0) : Buffer.from(bytes.subarray(offset));
  }

  /** Copies the frames out of the input (which the writer may reuse), one buffer per batch. */
  private pushBatches(bytes: Buffer, frames: readonly { start: number; header: Mp3Header }[]): void {
    for (let first = 0; first < frames.length; first += MAX_BATCH_FRAMES) {
      const group = frames.slice(first, first + MAX_BATCH_FRAMES);
      const from = group[0]!.start;
      const last = group[group.length - 1]!;
      const copy = Buffer.from(bytes.subarray(from, last.start + last.header.frameLength));
      this.push(group.map(({ start, header }): Mp3Frame => ({ bytes: copy.subarray(start - from, start - from + header.frameLength), samples: header.samples })));
    }
  }
}

/** The next offset that may start a header (0xFF) or an ID3v2 tag ("I"), or the end of `bytes`. */
function nextSyncCandidate(bytes: Buffer, from: number): number {
  const header = bytes.indexOf(0xff, from);
  const tag = bytes.indexOf(0x49, from);
  if (header === -1) return tag === -1 ? bytes.length : tag;
  return tag === -1 ? header : Math.min(header, tag);
}

function sameStream(header: Mp3Header, next: Mp3Header | undefined): boolean {
  return next !== undefined && next.mpegVersion === header.mpegVersion && next.layer === header.layer && next.sampleRate === header.sampleRate;
}
