import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Mp3Frame } from '../../../src/audio/index.js';
import type { Song } from '../../../src/station/song.js';
import { Track, TRACK_LOOKAHEAD_FRAMES, type TrackStatus } from '../../../src/station/track.js';
import { inBatches } from '../../support/frames.js';

const song: Song = { ref: 'local:a.m4a', title: 'a', artist: 'test' };
const frameOf = (index: number): Mp3Frame => ({ bytes: Buffer.from(`frame ${index}`), samples: 1152 });
const labelOf = (frame: Mp3Frame | undefined) => frame?.bytes.toString();
const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Batches handed out one per read, each a turn of the event loop later, and the end only on the read after
 * the last: as the transcoder does, which learns a song has ended only once ffmpeg has exited.
 */
function batchesOnDemand(batches: readonly Mp3Frame[][]): Readable {
  let next = 0;
  return new Readable({
    objectMode: true,
    highWaterMark: 0,
    read() {
      setImmediate(() => this.push(batches[next++] ?? null));
    },
  });
}

/** A track over `frames` and a promise of the state it settles in ('ended' or 'failed'). */
function trackOver(frames: Readable): { track: Track; settled: Promise<TrackStatus> } {
  let track: Track | undefined;
  const settled = new Promise<TrackStatus>((resolve) => {
    track = new Track(song, song, frames, (done) => resolve(done.state));
  });
  return { track: track!, settled };
}

/** Reads the track as the pacer does, one frame per turn of the event loop, until it says it is finished. */
async function playOut(track: Track): Promise<string[]> {
  const played: string[] = [];
  for (let turn = 0; !track.finished && turn < 1_000; turn += 1) {
    const frame = track.read();
    if (frame) played.push(labelOf(frame)!);
    await tick();
  }
  return played;
}

describe('Track', () => {
  it('hands out the frames of its batches one by one, in order, across batch boundaries', async () => {
    // Odd batch sizes and more frames than the lookahead: batches end at varied places in the read-ahead.
    const frames = Array.from({ length: 3 * TRACK_LOOKAHEAD_FRAMES + 5 }, (_, index) => frameOf(index));
    const { track } = trackOver(Readable.from(inBatches(frames, 7)));
    expect(await playOut(track)).toEqual(frames.map(labelOf));
  });

  it('is finished only once the last frame of the last batch has been read', async () => {
    const frames = Array.from({ length: 2 * TRACK_LOOKAHEAD_FRAMES + 3 }, (_, index) => frameOf(index));
    const { track, settled } = trackOver(batchesOnDemand(inBatches(frames, 5)));
    for (let turn = 0; turn < 50 && track.state === 'loading'; turn += 1) await tick();
    for (const frame of frames) {
      await tick();
      expect(track.finished, `before ${labelOf(frame)}`).toBe(false);
      expect(labelOf(track.read())).toBe(labelOf(frame));
    }
    // Asked at once, as the pacer may ask for several frames in one tick: the lookahead has let the stream
    // report its end before the frame after the last one is wanted.
    expect(track.finished).toBe(true);
    expect(track.read()).toBeUndefined();
    expect(await settled).toBe('ended');
  });

  it('ends (not fails) a song whose stream breaks after some frames, and still plays the frames read ahead', async () => {
    const breaking = Readable.from(
      (async function* () {
        yield [frameOf(0), frameOf(1), frameOf(2)];
        yield [frameOf(3), frameOf(4)];
        throw new Error('ffmpeg exited with code 1');
      })(),
    );
    const { track, settled } = trackOver(breaking);
    expect(await settled).toBe('ended');
    expect(track.started).toBe(false); // nothing had been played yet: the read-ahead alone makes it a song cut short
    expect(await playOut(track)).toEqual(['frame 0', 'frame 1', 'frame 2', 'frame 3', 'frame 4']);
    expect(track.finished).toBe(true);
    expect(track.error).toMatchObject({ message: 'ffmpeg exited with code 1' });
  });

  it('fails a song whose stream breaks before its first frame', async () => {
    const broken = new Readable({ objectMode: true, read() {} });
    setImmediate(() => broken.destroy(new Error('undecodable')));
    const { track, settled } = trackOver(broken);
    expect(await settled).toBe('failed');
    expect(track.finished).toBe(true);
    expect(track.read()).toBeUndefined();
  });

  describe('splicing (crossfades and fade-outs)', () => {
    const frames = Array.from({ length: 100 }, (_, index) => frameOf(index));
    const labels = (list: readonly Mp3Frame[]) => list.map(labelOf);

    it('reads as far ahead as asked, and learns its end once all of it is read ahead', async () => {
      const { track } = trackOver(Readable.from(inBatches(frames, 7)));
      for (let turn = 0; turn < 50 && track.framesReady < TRACK_LOOKAHEAD_FRAMES; turn += 1) await tick();
      expect(track.endKnown).toBe(false);
      track.setLookahead(200);
      for (let turn = 0; turn < 100 && !track.endKnown; turn += 1) await tick();
      expect(track.endKnown).toBe(true);
      expect(track.framesReady).toBe(100);
      expect(labels(track.peek(98, 5))).toEqual(['frame 98', 'frame 99']);
    });

    it('ends with its next frames and then the frames given, reading nothing more', async () => {
      const { track } = trackOver(Readable.from(inBatches(frames, 7)));
      for (let turn = 0; turn < 50 && track.framesReady < TRACK_LOOKAHEAD_FRAMES; turn += 1) await tick();
      track.read();
      track.endWith(2, [{ bytes: Buffer.from('tail'), samples: 1152 }]);
      expect(await playOut(track)).toEqual(['frame 1', 'frame 2', 'tail']);
      expect(track.finished).toBe(true);
    });

    it('begins with the frames given in place of its first ones, its position counted in its own frames', async () => {
      const { track } = trackOver(Readable.from(inBatches(frames, 7)));
      track.setLookahead(40);
      for (let turn = 0; turn < 50 && track.framesReady < 40; turn += 1) await tick();
      track.beginWith([{ bytes: Buffer.from('mix 1'), samples: 1152 }, { bytes: Buffer.from('mix 2'), samples: 1152 }], 10);
      expect(labelOf(track.read())).toBe('mix 1');
      expect(labelOf(track.read())).toBe('mix 2');
      expect(labelOf(track.read())).toBe('frame 10');
      expect(track.framesPlayed).toBe(11);
      // Once started, nothing is replaced any more.
      track.beginWith([{ bytes: Buffer.from('late'), samples: 1152 }], 1);
      expect(labelOf(track.read())).toBe('frame 11');
    });
  });
});
