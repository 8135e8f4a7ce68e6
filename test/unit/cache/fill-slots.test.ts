import { describe, expect, it } from 'vitest';
import { FillSlots } from '../../../src/cache/fill-slots.js';

describe('FillSlots', () => {
  it('runs at most its concurrency at once, the others in the order they came, each as a slot frees', async () => {
    const slots = new FillSlots(2);
    const finish: Array<() => void> = [];
    const order: number[] = [];
    let running = 0;
    let most = 0;
    const starts = [0, 1, 2, 3].map((index) =>
      slots.start(
        () =>
          new Promise<void>((resolve) => {
            order.push(index);
            running += 1;
            most = Math.max(most, running);
            finish[index] = () => {
              running -= 1;
              resolve();
            };
          }),
      ),
    );
    await Promise.all(starts.slice(0, 2));
    expect(order).toEqual([0, 1]);
    finish[1]!();
    await starts[2];
    expect(order).toEqual([0, 1, 2]);
    finish[0]!();
    await starts[3];
    finish[2]!();
    finish[3]!();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('frees the slot of a fill that fails', async () => {
    const slots = new FillSlots(1);
    await slots.start(() => Promise.reject(new Error('ffmpeg could not start')));
    let ran = false;
    await slots.start(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
