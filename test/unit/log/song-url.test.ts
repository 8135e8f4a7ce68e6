import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('logged songs', () => {
  it('never carry the signature of a song that is a signed URL, in a field or a child binding', () => {
    const { logger, lines } = capture();
    const url = 'https://cdn.example/a/b.m4a?vkey=SECRETKEY&guid=1';
    logger.info({ song: url }, 'now playing');
    logger.child({ song: url }).info('download finished');
    logger.info({ song: 'qq:001' }, 'now playing');
    expect(lines.join('')).not.toContain('SECRETKEY');
    expect(JSON.parse(lines[0]!).song).toBe('https://cdn.example/a/b.m4a?…');
    expect(JSON.parse(lines[2]!).song).toBe('qq:001');
  });
});
