import { describe, expect, it } from 'vitest';
import { crossfadeFrames, MAX_SILENCE_TRIM_SECONDS, mixCrossfade, planCrossfade, segmentFrames, type DecodedSides } from '../../../src/audio/crossfade-mix.js';
import { framesCarryingSong } from '../../../src/audio/gapless.js';

const F = 1152;
const RATE = 44100;

/** Stereo PCM of A's tail frames then B's head frames: a level of `a` where A sounds, `b` where B does, 0 in silences. */
function sides(options: { tailFrames: number; headFrames: number; tailSilence?: number; leadSilence?: number; a?: number; b?: number }): DecodedSides {
  const { tailFrames, headFrames } = options;
  const pcm = new Int16Array((tailFrames + headFrames) * F * 2);
  const tailEnd = tailFrames * F;
  for (let index = 0; index < pcm.length / 2; index += 1) {
    const inA = index < tailEnd - (options.tailSilence ?? 0);
    const inB = index >= tailEnd + (options.leadSilence ?? 0);
    const level = inA ? (options.a ?? 8000) : inB ? (options.b ?? 8000) : 0;
    pcm[2 * index] = level;
    pcm[2 * index + 1] = level;
  }
  return { pcm, channels: 2, sampleRate: RATE, tailFrames, headFrames };
}

describe('planCrossfade', () => {
  const needs = crossfadeFrames(4, RATE);

  it('makes the segment end on a frame, B resume inside its frame H, and the overlap at least what was asked', () => {
    for (const leadSilence of [0, 100, 777, 1151, 3000]) {
      for (const tailSilence of [0, 1, 500, 2000]) {
        const plan = planCrossfade(sides({ tailFrames: needs.tail, headFrames: needs.head, leadSilence, tailSilence }), 4)!;
        expect((plan.length + 576) % F, `lead ${leadSilence}, tail ${tailSilence}`).toBe(0);
        expect(plan.overlapSamples).toBe(4 * RATE);
        expect(plan.keepTailFrames).toBeGreaterThanOrEqual(1);
        expect(plan.tailStart).toBe(plan.keepTailFrames * F - 47);
        expect(plan.dropHeadFrames).toBeLessThan(needs.head);
        // B's part of P runs from headStart to 529 samples into frame H.
        expect(plan.length - (plan.tailLength - plan.overlapSamples)).toBe(plan.dropHeadFrames * F + 529 - plan.headStart);
        expect(framesCarryingSong(plan.length)).toBe((plan.length + 576) / F);
      }
    }
  });

  it('measures silent outros and intros and trims them, up to the bound', () => {
    const plan = planCrossfade(sides({ tailFrames: needs.tail, headFrames: needs.head, tailSilence: 2 * RATE, leadSilence: RATE }), 4)!;
    expect(plan.trimmedTail).toBe(2 * RATE);
    // B's first granule after the cut is not used: the intro counts from there.
    expect(plan.trimmedLead).toBe(RATE - 576);
    const long = planCrossfade(sides({ tailFrames: needs.tail, headFrames: needs.head, tailSilence: 7 * RATE }), 4);
    expect(long === undefined || long.trimmedTail === MAX_SILENCE_TRIM_SECONDS * RATE).toBe(true);
  });

  it('shortens the overlap to what a short song has, and makes none under a quarter second', () => {
    const short = planCrossfade(sides({ tailFrames: 60, headFrames: needs.head }), 4)!;
    expect(short.overlapSamples).toBeLessThan(4 * RATE);
    expect(short.keepTailFrames).toBe(1);
    expect(planCrossfade(sides({ tailFrames: 8, headFrames: needs.head }), 4)).toBeUndefined();
    expect(planCrossfade(sides({ tailFrames: needs.tail, headFrames: 10 }), 4)).toBeUndefined();
  });
});

describe('mixCrossfade', () => {
  it('keeps the power of two unrelated sides constant through the overlap (equal power), A before it and B after it', () => {
    const decoded = sides({ tailFrames: 200, headFrames: 200, a: 10000, b: 10000 });
    const plan = planCrossfade(decoded, 2)!;
    const mixed = mixCrossfade(decoded, plan);
    const overlapStart = plan.tailLength - plan.overlapSamples;
    expect(mixed[0]).toBe(10000);
    expect(mixed[(plan.length - 1) * 2]).toBe(10000);
    for (const x of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const j = overlapStart + Math.floor(x * plan.overlapSamples);
      const cos = Math.cos((Math.PI / 2) * ((j - overlapStart + 0.5) / plan.overlapSamples));
      // Constant inputs add as amplitudes: a·cos + b·sin, whose square sums to a² for unrelated (orthogonal) inputs.
      expect(mixed[j * 2]).toBe(Math.round(10000 * cos + 10000 * Math.sqrt(1 - cos * cos)));
    }
  });

  it('clips to 16 bits instead of wrapping', () => {
    const decoded = sides({ tailFrames: 200, headFrames: 200, a: 32000, b: 32000 });
    const plan = planCrossfade(decoded, 2)!;
    const mixed = mixCrossfade(decoded, plan);
    expect(mixed.reduce((max, sample) => Math.max(max, sample), 0)).toBe(32767);
    expect(mixed.every((sample) => sample >= 0)).toBe(true);
  });
});

describe('segmentFrames', () => {
  it('drops the encoder-delay frame and the padding, and splits at the overlap midpoint', () => {
    const plan = planCrossfade(sides({ tailFrames: 200, headFrames: 200 }), 4)!;
    const encoded = Array.from({ length: Math.ceil((plan.length + 1105) / F) }, (_, index) => index);
    const { outgoing, incoming } = segmentFrames(encoded, plan);
    expect([...outgoing, ...incoming]).toEqual(encoded.slice(1, framesCarryingSong(plan.length)));
    const midpoint = plan.tailLength - plan.overlapSamples / 2;
    expect(Math.abs(outgoing.length * F + 47 - midpoint)).toBeLessThanOrEqual(F / 2 + 1);
  });
});
