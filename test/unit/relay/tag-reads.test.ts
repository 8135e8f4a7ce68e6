import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import type { LibraryFile } from '../../../src/relay/providers/local/library.js';
import { TAG_READS_AT_ONCE, TAG_READS_WAITING, TagReads } from '../../../src/relay/providers/local/tag-reads.js';
import type { AudioTags } from '../../../src/relay/providers/local/tags.js';

const file = (name: string, mtimeMs = 1): LibraryFile => ({ relPath: name, absPath: `/music/${name}`, size: 100, mtimeMs });

/** A reader whose reads finish when the test says so. */
function heldReader() {
  const held = new Map<string, Array<(tags: AudioTags) => void>>();
  const started: string[] = [];
  return {
    started,
    read: (absPath: string) =>
      new Promise<AudioTags>((resolve) => {
        started.push(absPath);
        held.set(absPath, [...(held.get(absPath) ?? []), resolve]);
      }),
    finish(absPath: string) {
      for (const resolve of held.get(absPath) ?? []) resolve({ title: absPath });
      held.delete(absPath);
    },
    /** Finishes reads as they start until none is left (waiting reads start as others end). */
    async drain(maxRounds: number) {
      for (let round = 0; round < maxRounds && held.size > 0; round += 1) {
        for (const absPath of [...held.keys()]) this.finish(absPath);
        await settle();
      }
    },
  };
}

/** Lets every settled promise's callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TagReads', () => {
  it('shares one read among concurrent asks for a file, then answers from memory until the file changes', async () => {
    const reader = heldReader();
    const reads = new TagReads(reader.read, silentLogger());
    const asks = [reads.read(file('a.m4a')), reads.read(file('a.m4a')), reads.read(file('a.m4a'))];
    await settle();
    reader.finish('/music/a.m4a');
    expect(await Promise.all(asks)).toEqual(Array(3).fill({ title: '/music/a.m4a' }));
    expect(await reads.read(file('a.m4a'))).toEqual({ title: '/music/a.m4a' });
    expect(reader.started).toEqual(['/music/a.m4a']);

    const changed = reads.read(file('a.m4a', 2));
    await settle();
    expect(reader.started).toHaveLength(2);
    reader.finish('/music/a.m4a');
    await changed;
  });

  it(`runs ${TAG_READS_AT_ONCE} reads at once; the next starts when one ends`, async () => {
    const reader = heldReader();
    const reads = new TagReads(reader.read, silentLogger());
    const names = Array.from({ length: TAG_READS_AT_ONCE + 2 }, (_, i) => `${i}.m4a`);
    const asks = names.map((name) => reads.read(file(name)));
    await settle();
    expect(reader.started).toHaveLength(TAG_READS_AT_ONCE);
    reader.finish('/music/0.m4a');
    await settle();
    expect(reader.started).toHaveLength(TAG_READS_AT_ONCE + 1);
    await reader.drain(names.length);
    expect(await Promise.all(asks)).toHaveLength(names.length);
  });

  it('names a song after its file at once when too many reads wait, and reads it later', async () => {
    const reader = heldReader();
    const reads = new TagReads(reader.read, silentLogger());
    for (let i = 0; i < TAG_READS_AT_ONCE + TAG_READS_WAITING; i += 1) void reads.read(file(`${i}.m4a`));
    expect(await reads.read(file('late.m4a'))).toEqual({});
    await reader.drain(TAG_READS_AT_ONCE + TAG_READS_WAITING);
    const later = reads.read(file('late.m4a'));
    await settle();
    reader.finish('/music/late.m4a');
    expect(await later).toEqual({ title: '/music/late.m4a' });
  });

  it('names a song after its file when its tags cannot be read, without asking again', async () => {
    let calls = 0;
    const reads = new TagReads(async () => {
      calls += 1;
      throw new Error('ffprobe: Invalid data found when processing input');
    }, silentLogger());
    expect(await reads.read(file('broken.m4a'))).toEqual({});
    expect(await reads.read(file('broken.m4a'))).toEqual({});
    expect(calls).toBe(1);
  });
});
