import { describe, expect, it } from 'vitest';
import { bytesPerSecond, frameBytes, frameDurationUs, type StreamFormat } from '../../../src/audio/index.js';
import { DEFAULT_TICK_MS, ICECAST_BLOCK_BYTES, MAX_FRAMES_PER_TICK, Pacer, tickMsFor } from '../../../src/station/pacer.js';
import { FakeClock } from './fake-clock.js';

const FRAME_US = (1152 * 1_000_000) / 44100;
const frame = { bytes: Buffer.alloc(417, 1), samples: 1152 };

function setup(options: { leadMs?: number; tickMs?: number; connected?: () => boolean } = {}) {
  const clock = new FakeClock();
  const writes: { at: number; frames: number }[] = [];
  const pacer = new Pacer({
    clock,
    frameDurationUs: FRAME_US,
    nextFrame: () => frame,
    write: (bytes) => writes.push({ at: clock.now(), frames: bytes.length / 417 }),
    canWrite: options.connected ?? (() => true),
    leadMs: options.leadMs ?? 400,
    tickMs: options.tickMs ?? 100,
  });
  const sentMs = () => (writes.reduce((sum, write) => sum + write.frames, 0) * FRAME_US) / 1000;
  return { clock, pacer, writes, sentMs };
}

describe('Pacer', () => {
  it('sends the lead at once, then real time, never more than the lead ahead', () => {
    const { clock, pacer, sentMs } = setup({ leadMs: 400 });
    pacer.start();
    clock.advance(100);
    expect(sentMs()).toBeGreaterThanOrEqual(500);
    expect(sentMs()).toBeLessThan(500 + FRAME_US / 1000 + 0.001);
    for (let second = 1; second <= 600; second += 1) {
      clock.advance(1000);
      const elapsedMs = second * 1000 + 100;
      expect(sentMs() - elapsedMs).toBeGreaterThanOrEqual(400 - 0.001);
      expect(sentMs() - elapsedMs).toBeLessThan(400 + FRAME_US / 1000 + 0.001);
    }
  });

  it('keeps the average rate exact over ten minutes although ticks arrive late', () => {
    const { clock, pacer, sentMs } = setup({ tickMs: 137 });
    pacer.start();
    clock.advance(600_000);
    expect(Math.abs(sentMs() - 600_000 - 400)).toBeLessThan(FRAME_US / 1000 + 137);
  });

  it('holds its place while disconnected and sends a fresh lead after reanchoring', () => {
    let connected = true;
    const { clock, pacer, sentMs } = setup({ connected: () => connected });
    pacer.start();
    clock.advance(2_000);
    const before = sentMs();
    connected = false;
    clock.advance(5_000);
    expect(sentMs()).toBe(before);
    connected = true;
    pacer.reanchor();
    clock.advance(100);
    expect(sentMs() - before).toBeGreaterThanOrEqual(500);
    expect(sentMs() - before).toBeLessThan(530);
  });

  it('after a long stall it skips the missed time instead of flooding Icecast', () => {
    const { clock, pacer, writes } = setup();
    pacer.start();
    clock.advance(1_000);
    writes.length = 0;
    clock.jump(60_000);
    clock.advance(1_000);
    expect(Math.max(...writes.map((write) => write.frames))).toBeLessThanOrEqual(MAX_FRAMES_PER_TICK);
    const sentAfterStallMs = (writes.reduce((sum, write) => sum + write.frames, 0) * FRAME_US) / 1000;
    expect(sentAfterStallMs).toBeLessThan((MAX_FRAMES_PER_TICK * FRAME_US) / 1000 + 1_500);
  });

  it('stops writing once stopped', () => {
    const { clock, pacer, writes } = setup();
    pacer.start();
    clock.advance(500);
    pacer.stop();
    const count = writes.length;
    clock.advance(5_000);
    expect(writes.length).toBe(count);
  });

  it.each([
    { bitrateKbps: 32, sampleRate: 44100 },
    { bitrateKbps: 64, sampleRate: 44100 },
    { bitrateKbps: 96, sampleRate: 48000 },
    { bitrateKbps: 128, sampleRate: 44100 },
    { bitrateKbps: 320, sampleRate: 48000 },
  ])('at $bitrateKbps kb/s, $sampleRate Hz every tick fills an Icecast block, with the default tick where that suffices', (partial) => {
    const format: StreamFormat = { ...partial, channels: 2 };
    const tickMs = tickMsFor(bytesPerSecond(format), frameBytes(format, true));
    const clock = new FakeClock();
    // Unpadded frames, the shortest a CBR stream has, so a tick's bytes are at their fewest.
    const shortest = { bytes: Buffer.alloc(frameBytes(format, false)), samples: 1152 };
    const writes: number[] = [];
    const pacer = new Pacer({ clock, frameDurationUs: frameDurationUs(format), nextFrame: () => shortest, write: (bytes) => writes.push(bytes.length), canWrite: () => true, tickMs });
    pacer.start();
    // Ticks a little late and unevenly, as timers are.
    for (let tick = 0; tick < 2_000; tick += 1) clock.advance(tickMs + (tick % 7));
    expect(writes.length).toBeGreaterThan(1_900);
    expect(Math.min(...writes.slice(1))).toBeGreaterThanOrEqual(ICECAST_BLOCK_BYTES);
    if (format.bitrateKbps >= 96) expect(tickMs).toBe(DEFAULT_TICK_MS);
  });
});
