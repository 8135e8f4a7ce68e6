import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import CodecParser, { type CodecFrame } from 'codec-parser';
import type { Mp3Frame } from './frame.js';
import { isInfoFrame } from './mp3-header.js';

export type Mp3FrameSplitterOptions = Pick<
  TransformOptions,
  'readableHighWaterMark' | 'writableHighWaterMark' | 'emitClose' | 'signal'
>;

/**
 * Bytes of an MPEG audio stream in, whole frames out (`Mp3Frame`, one object per frame), whatever the
 * chunk boundaries. codec-parser finds the frames: it syncs on a header only when another header
 * follows at the announced length, skips ID3v2 tags, and hands out the last frame on flush.
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
      const frames = parse();
      for (let next = frames.next(); !next.done; next = frames.next()) {
        const { data, samples } = next.value;
        // codec-parser hands out views of its own buffer: copy, so a frame stays valid on its own.
        if (!isInfoFrame(data)) this.push({ bytes: Buffer.from(data), samples } satisfies Mp3Frame);
      }
      callback();
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
