import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../../src/audio/index.js';
import { SKIP_FADE_SECONDS } from '../../../src/audio/fade-out.js';
import { silentLogger } from '../../../src/log/index.js';
import { Crossfader } from '../../../src/station/crossfader.js';
import { Programme, type FrameLoader, type TrackEndReason } from '../../../src/station/programme.js';
import type { Song } from '../../../src/station/song.js';
import { inBatches } from '../../support/frames.js';

const silenceFrame = { bytes: Buffer.from('silence'), samples: 1152 };
const frameOf = (label: string, index: number) => ({ bytes: Buffer.from(`${label}:${index}`), samples: 1152 });
/** Frames a skip fades out over at 44.1 kHz. */
const FADE_FRAMES = Math.ceil((SKIP_FADE_SECONDS * 44100) / 1152);

/** Songs of 500 frames (~13 s), never ending before the test is done with them. */
const loader: FrameLoader = {
  async load(song) {
    return { song, frames: Readable.from(inBatches(Array.from({ length: 500 }, (_, index) => frameOf(song.ref, index)))) };
  },
};

function programmeWith(seconds: { value: number }) {
  let next = 0;
  const refs = ['a', 'b', 'c'];
  const supplier = { nextSong: async (): Promise<Song> => ({ ref: refs[next++ % refs.length]!, title: 't', artist: 'test' }) };
  const crossfader = new Crossfader({ seconds: () => seconds.value, format: DEFAULT_STREAM_FORMAT, logger: silentLogger() });
  const programme = new Programme({ supplier, loader, silence: { next: () => silenceFrame }, logger: silentLogger(), crossfader });
  const ended: [string, TrackEndReason][] = [];
  programme.on('track-end', (song, reason) => ended.push([song.ref, reason]));
  return { programme, ended };
}

/** Frames as the pacer reads them, skipping silence, one per turn of the event loop (bounded). */
async function play(programme: Programme, count: number): Promise<string[]> {
  const played: string[] = [];
  for (let turn = 0; played.length < count && turn < count * 50; turn += 1) {
    const frame = programme.nextFrame();
    if (frame !== silenceFrame) played.push(frame.bytes.toString());
    await new Promise((resolve) => setImmediate(resolve));
  }
  return played;
}

describe('Crossfader on skip', () => {
  it('fades the skipped song out over its next few hundred milliseconds, then plays the next song', async () => {
    const { programme, ended } = programmeWith({ value: 4 });
    programme.start();
    expect(await play(programme, 5)).toEqual(['a:0', 'a:1', 'a:2', 'a:3', 'a:4']);
    programme.skip();
    const after = await play(programme, FADE_FRAMES + 2);
    programme.close();
    // These test frames carry no MPEG header, so the fade leaves their bytes as they are: what counts is
    // which frames play, and when the song ends.
    expect(after).toEqual([...Array.from({ length: FADE_FRAMES }, (_, index) => `a:${5 + index}`), 'b:0', 'b:1']);
    expect(ended[0]).toEqual(['a', 'skipped']);
  });

  it('cuts at once on a second skip during the fade, and on a station without a crossfade', async () => {
    const fading = programmeWith({ value: 4 });
    fading.programme.start();
    await play(fading.programme, 3);
    fading.programme.skip();
    await play(fading.programme, 2);
    fading.programme.skip();
    expect(await play(fading.programme, 1)).toEqual(['b:0']);
    fading.programme.close();

    const cutting = programmeWith({ value: 0 });
    cutting.programme.start();
    await play(cutting.programme, 3);
    cutting.programme.skip();
    expect(await play(cutting.programme, 1)).toEqual(['b:0']);
    cutting.programme.close();
    expect(cutting.ended[0]).toEqual(['a', 'skipped']);
  });
});
