import { describe, expect, it } from 'vitest';
import { IcyDemuxer, streamTitle } from '../../support/listener.js';

/** An ICY stream: `blocks` audio blocks of `metaint` bytes, each followed by a metadata block. */
function icyStream(metaint: number, titles: Array<string | undefined>): { stream: Buffer; audio: Buffer } {
  const parts: Buffer[] = [];
  const audio: Buffer[] = [];
  titles.forEach((title, index) => {
    const block = Buffer.alloc(metaint, index + 1);
    audio.push(block);
    parts.push(block);
    if (title === undefined) {
      parts.push(Buffer.from([0]));
    } else {
      const text = Buffer.from(`StreamTitle='${title}';`, 'utf8');
      const size = Math.ceil(text.length / 16);
      parts.push(Buffer.from([size]), text, Buffer.alloc(size * 16 - text.length));
    }
  });
  return { stream: Buffer.concat(parts), audio: Buffer.concat(audio) };
}

describe('IcyDemuxer (test listener)', () => {
  const titles = [`周杰倫 - 晴天 & "Rock 'n' Roll"`, undefined, "it's ';here", undefined];

  it.each([1, 7, 15_999, 16_000, 16_001, 100_000])('splits audio from titles for chunks of %i bytes', (chunkSize) => {
    const metaint = 16_000;
    const { stream, audio } = icyStream(metaint, titles);
    const demuxer = new IcyDemuxer(metaint);
    const gotAudio: Buffer[] = [];
    const gotTitles: Array<string | undefined> = [];
    for (let offset = 0; offset < stream.length; offset += chunkSize) {
      const parts = demuxer.push(stream.subarray(offset, offset + chunkSize));
      gotAudio.push(...parts.audio);
      gotTitles.push(...parts.metadata.map(streamTitle));
    }
    expect(Buffer.concat(gotAudio).equals(audio)).toBe(true);
    expect(gotTitles).toEqual([titles[0], titles[2]]);
  });

  it("reads a title up to the last \"';\", since Icecast does not escape quotes", () => {
    expect(streamTitle(Buffer.from("StreamTitle='a ';b';\0\0\0"))).toBe("a ';b");
    expect(streamTitle(Buffer.from("StreamTitle='x';StreamUrl='http://u';"))).toBe('x');
    expect(streamTitle(Buffer.from('nothing'))).toBeUndefined();
  });
});
