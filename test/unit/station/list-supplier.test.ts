import { describe, expect, it } from 'vitest';
import { ListSupplier } from '../../../src/station/list-supplier.js';

const noTags = async () => ({});
const list = (...names: string[]) => names.map((name) => ({ location: `local:${name}.m4a` }));
const refOf = async (supplier: ListSupplier) => (await supplier.nextSong())?.ref;

describe('ListSupplier.replace: a playlist file edited while the station plays', () => {
  it('goes on after the song on air when the new list still holds it', async () => {
    const supplier = new ListSupplier(list('a', 'b', 'c'), noTags);
    const onAir = (await supplier.nextSong())!;
    supplier.consumed(onAir);
    const prepared = (await supplier.nextSong())!;
    supplier.replace(list('x', 'a', 'y'));
    // The station replans: the song prepared from the old list is dropped and must not come back.
    supplier.forget([prepared]);
    expect(await refOf(supplier)).toBe('local:y.m4a');
    expect(await refOf(supplier)).toBe('local:x.m4a');
  });

  it('starts the new list from its top when the song on air is no longer in it', async () => {
    const supplier = new ListSupplier(list('a', 'b'), noTags);
    supplier.consumed((await supplier.nextSong())!);
    supplier.replace(list('n1', 'n2'));
    expect(await refOf(supplier)).toBe('local:n1.m4a');
  });

  it('an empty list gives nothing until it is replaced by one with songs', async () => {
    const supplier = new ListSupplier([], noTags);
    expect(await supplier.nextSong()).toBeNull();
    supplier.replace(list('late'));
    expect(await refOf(supplier)).toBe('local:late.m4a');
  });

  it('songs dropped unplayed from the current list still come again first', async () => {
    const supplier = new ListSupplier(list('a', 'b'), noTags);
    const first = (await supplier.nextSong())!;
    supplier.forget([first]);
    expect(await refOf(supplier)).toBe('local:a.m4a');
  });
});

describe('ListSupplier file songs', () => {
  it('name an untagged file the way the relay does: "Artist - Title" from its file name', async () => {
    const supplier = new ListSupplier([{ location: '/music/Adele - Hello.mp3' }], noTags);
    expect(await supplier.nextSong()).toMatchObject({ title: 'Hello', artist: 'Adele' });
  });
});
