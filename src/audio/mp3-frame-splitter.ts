import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import CodecParser, { type CodecFrame } from 'codec-parser';
import { MAX_BATCH_FRAMES, type Mp3Frame } from './frame.js';
import { isInfoFrame } from './mp3-header.js';

export type Mp3FrameSplitterOptions = Pick<
  TransformOptions,
  'readableHighWaterMark' | 'writableHighWaterMark' | 'emitClose' | 'signal'
>;

/**
 * Bytes of an MPEG audio stream in, whole frames out in batches (`Mp3FrameBatch`: the frames found in
 * one chunk written, MAX_BATCH_FRAMES at most per batch), whatever the chunk boundaries. codec-parser
 * finds the frames: it syncs on a header only when another header follows at the announced length,
 * skips ID3v2 tags, and hands out the last frame on flush.
 * Anything that is not audio is dropped: ID3 tags, bytes between frames, and the Xing/Info/VBRI
 * frame an encoder writes at the start of a file.
 */
export class Mp3FrameSplitter extends Transform {
  private readonly parser = new CodecParser<CodecFrame>('audio/mpeg', { enableFrameCRC32: false });

  constructor(options: Mp3FrameSplitterOptions = {}) {
    super({ ...options, writableObjectMode: false, readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pushFrames(() => this.parser.parseChunk(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.pushFrames(() => this.parser.flush(), callback);
  }

  private pushFrames(parse: () => Iterator<CodecFrame>, callback: TransformCallback): void {
    try {
      const found = parse();
      let batch: Mp3Frame[] = [];
      for (let next = found.next(); !next.done; next = found.next()) {
        const { data, samples } = next.value;
        if (isInfoFrame(data)) continue;
        // codec-parser hands out views of its own buffer: copy, so a frame stays valid on its own.
        batch.push({ bytes: Buffer.from(data), samples });
        if (batch.length === MAX_BATCH_FRAMES) {
          this.push(batch);
          batch = [];
        }
      }
      if (batch.length > 0) this.push(batch);
      callback();
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
