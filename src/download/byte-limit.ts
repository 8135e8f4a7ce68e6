import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through, counting them, and fails as soon as more than `maxBytes` have passed: a server
 * that sends no Content-Length (or lies in it) cannot fill the disk.
 */
export class ByteLimit extends Transform {
  private count = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: (bytes: number) => Error,
  ) {
    super();
  }

  get bytes(): number {
    return this.count;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.maxBytes) callback(this.tooLarge(this.count));
    else callback(null, chunk);
  }
}
