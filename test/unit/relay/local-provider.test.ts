import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { NotFoundError } from '../../../src/relay/errors.js';
import { RefSyntaxError } from '../../../src/refs/index.js';
import { noTags } from '../../../src/relay/providers/local/tags.js';
import { createResolver, type Resolver } from '../../../src/relay/resolver.js';
import { makeTempDir } from '../../support/tmp.js';

/**
 * The local provider's path rules, against a real folder. The files hold placeholder bytes and no tags
 * are read (`noTags`), so songs are named after their files; tag reading is covered by relay-local.
 */
describe('local provider', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let music: string;
  let outside: string;
  let resolver: Resolver;
  const NOW = Date.UTC(2024, 4, 1);

  beforeAll(async () => {
    temp = await makeTempDir('relay-local');
    music = join(temp.dir, 'music');
    outside = join(temp.dir, 'outside');
    await mkdir(join(music, 'Adele/25'), { recursive: true });
    await mkdir(join(music, 'lists'), { recursive: true });
    await mkdir(outside);
    await mkdir(join(music, 'folder.mp3'));
    await writeFile(join(music, 'Adele/25/Adele - Hello.mp3'), 'fake mp3 bytes');
    await writeFile(join(music, 'Adele/25/02 Send My Love.m4a'), 'fake m4a');
    await writeFile(join(music, 'notes.txt'), 'not audio');
    await writeFile(join(outside, 'secret.mp3'), 'outside the library');
    await symlink(join(outside, 'secret.mp3'), join(music, 'escape.mp3'));
    await symlink(outside, join(music, 'escape-dir'));
    await symlink(join(music, 'Adele'), join(music, 'alias'));
    await writeFile(
      join(music, 'lists/mix.m3u8'),
      [
        '#EXTM3U',
        '#EXTINF:295,Adele - Hello (live)',
        '../Adele/25/Adele - Hello.mp3',
        `${music}/Adele/25/02 Send My Love.m4a`,
        `${outside}/secret.mp3`,
        '../../outside/secret.mp3',
        '../escape.mp3',
        'http://evil.example/a.mp3',
        '../missing.mp3',
        '../notes.txt',
        '../alias/25/Adele - Hello.mp3',
      ].join('\n'),
    );
    resolver = createResolver({
      config: { local: { musicDir: music, fileUrlTtlSec: 600 } },
      logger: silentLogger(),
      tagReader: noTags,
      now: () => NOW,
    });
  });
  afterAll(() => temp.remove());

  it('resolves a file to its metadata and a URL it can be read from', async () => {
    const resolution = await resolver.resolveSong('local:Adele/25/Adele - Hello.mp3');
    expect(resolution).toEqual({
      ok: true,
      value: {
        song: { ref: 'local:Adele/25/Adele - Hello.mp3', title: 'Hello', artists: ['Adele'] },
        audio: { url: expect.stringMatching(/^file:\/\//), format: 'mp3', size: 14, expiresAt: NOW + 600_000 },
      },
    });
    if (resolution.ok) expect(fileURLToPath(resolution.value.audio.url)).toMatch(/music\/Adele\/25\/Adele - Hello\.mp3$/);
  });

  it('follows symlinks that stay inside the library', async () => {
    expect(await resolver.resolveSong('local:alias/25/02 Send My Love.m4a')).toMatchObject({ ok: true, value: { audio: { format: 'm4a' } } });
  });

  it.each(['local:escape.mp3', 'local:escape-dir/secret.mp3', 'local:missing.mp3', 'local:folder.mp3'])(
    'treats %s (outside the library, missing or not a file) as not found',
    async (ref) => {
      await expect(resolver.resolveSong(ref)).rejects.toThrow(NotFoundError);
    },
  );

  it.each(['local:../outside/secret.mp3', 'local:notes.txt', 'local:/tmp/outside/secret.mp3', 'local:Adele/25/\u0000.mp3'])(
    'refuses %j before touching the disk',
    async (ref) => {
      await expect(resolver.resolveSong(ref)).rejects.toThrow(RefSyntaxError);
    },
  );

  it('lists an M3U: only entries inside the library, in order, with #EXTINF text where given', async () => {
    const page = await resolver.resolvePlaylist('local:playlist:lists/mix');
    expect(page).toMatchObject({ ref: 'local:playlist:lists/mix', name: 'lists/mix', total: 3, offset: 0, limit: 100 });
    expect(page.songs).toEqual([
      { ref: 'local:Adele/25/Adele - Hello.mp3', title: 'Hello (live)', artists: ['Adele'], durationMs: 295_000 },
      { ref: 'local:Adele/25/02 Send My Love.m4a', title: '02 Send My Love', artists: [] },
      { ref: 'local:alias/25/Adele - Hello.mp3', title: 'Hello', artists: ['Adele'] },
    ]);
  });

  it('pages an M3U and accepts the name with its extension', async () => {
    const page = await resolver.resolvePlaylist('local:playlist:lists/mix.m3u8', { offset: 1, limit: 1 });
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.songs.map((song) => song.ref)).toEqual(['local:Adele/25/02 Send My Love.m4a']);
  });

  it('treats a missing playlist as not found', async () => {
    await expect(resolver.resolvePlaylist('local:playlist:nope')).rejects.toThrow(NotFoundError);
  });

  it('reports a missing music folder as a retryable upstream-error without giving its path away', async () => {
    const broken = createResolver({ config: { local: { musicDir: join(temp.dir, 'not-there') } }, logger: silentLogger(), tagReader: noTags });
    const resolution = await broken.resolveSong('local:a.mp3');
    expect(resolution).toMatchObject({ ok: false, failure: { reason: 'upstream-error', retryable: true } });
    expect(JSON.stringify(resolution)).not.toContain(temp.dir);
  });
});
