import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoizeTags } from '../../../src/audio/tag-memo.js';
import { makeTempDir } from '../../support/tmp.js';

describe('memoizeTags', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('tag-memo');
  });
  afterEach(async () => {
    await temp.remove();
  });

  function counting(answer: (path: string) => Promise<{ title?: string }>) {
    const reads: string[] = [];
    return { reads, read: (path: string) => (reads.push(path), answer(path)) };
  }

  it('reads a file once for many callers at once and later ones, until the file changes', async () => {
    const path = join(temp.dir, 'a.m4a');
    await writeFile(path, 'one');
    const { reads, read } = counting(async () => ({ title: `read ${reads.length}` }));
    const tags = memoizeTags(read);
    const answers = await Promise.all(Array.from({ length: 200 }, () => tags(path)));
    expect(new Set(answers.map((answer) => answer.title))).toEqual(new Set(['read 1']));
    expect(await tags(path)).toEqual({ title: 'read 1' });
    expect(reads).toHaveLength(1);
    // An edited file (new size or time) is read again.
    await writeFile(path, 'two, longer');
    await utimes(path, new Date(), new Date(Date.now() + 5_000));
    expect(await tags(path)).toEqual({ title: 'read 2' });
  });

  it('does not remember a failed read, and passes a missing file to the reader for its own error', async () => {
    const path = join(temp.dir, 'b.m4a');
    await writeFile(path, 'x');
    let fail = true;
    const { reads, read } = counting(async (file) => {
      if (fail) throw new Error(`cannot read ${file}`);
      return { title: 'ok' };
    });
    const tags = memoizeTags(read);
    await expect(tags(path)).rejects.toThrow('cannot read');
    fail = false;
    expect(await tags(path)).toEqual({ title: 'ok' });
    await expect(tags(join(temp.dir, 'missing.m4a'))).resolves.toEqual({ title: 'ok' });
    expect(reads).toHaveLength(3);
  });

  it('forgets the least recently used file beyond its bound', async () => {
    const paths = await Promise.all(['a', 'b', 'c'].map(async (name) => {
      const path = join(temp.dir, name);
      await writeFile(path, name);
      return path;
    }));
    const { reads, read } = counting(async (file) => ({ title: file }));
    const tags = memoizeTags(read, 2);
    await tags(paths[0]!);
    await tags(paths[1]!);
    await tags(paths[0]!); // a is now the most recent
    await tags(paths[2]!); // b is forgotten
    await tags(paths[0]!);
    await tags(paths[1]!);
    expect(reads.map((file) => file.slice(-1))).toEqual(['a', 'b', 'c', 'b']);
  });
});
