import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { makeToneMp3, startIcecast, type IcecastServer, type StartIcecastOptions } from './icecast.js';
import { makeTempDir } from './tmp.js';

/** Bounds an awaited event: once(emitter, name, within(ms)) rejects after ms. */
export const within = (ms: number) => ({ signal: AbortSignal.timeout(ms) });

export interface IcecastSuite<Name extends string> {
  /** The suite's temp dir, removed after its last test. */
  readonly dir: string;
  /** A 5 s 440 Hz tone, MP3 at 128 kb/s, for sources to loop. */
  readonly tone: Buffer;
  /** Real Icecast servers, one per name given, stopped after the last test. */
  readonly servers: Readonly<Record<Name, IcecastServer>>;
  /** Run last-first after each test: feeders, sources and listeners a test started. */
  readonly cleanups: Array<() => unknown>;
}

/**
 * What every Icecast integration file sets up the same way, registered as vitest hooks: a temp dir with
 * a tone, real icecast2 servers (by default one, named `icecast`) and per-test cleanups. Its fields are
 * filled in by beforeAll, so tests read them through the returned object.
 */
export function useIcecastSuite<Name extends string = 'icecast'>(
  name: string,
  serverOptions: Record<Name, StartIcecastOptions> = { icecast: {} } as Record<Name, StartIcecastOptions>,
): IcecastSuite<Name> {
  let temp: { dir: string; remove: () => Promise<void> } | undefined;
  let tone: Buffer | undefined;
  const servers = {} as Record<Name, IcecastServer>;
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    temp = await makeTempDir(name);
    tone = await makeToneMp3(join(temp.dir, 'tone-440hz-5s-128k.mp3'), 5);
    const names = Object.keys(serverOptions) as Name[];
    const started = await Promise.all(names.map((server) => startIcecast(serverOptions[server])));
    names.forEach((server, index) => (servers[server] = started[index]!));
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await Promise.all(Object.values<IcecastServer>(servers).map((server) => server.stop()));
    await temp?.remove();
  });

  return {
    get dir() {
      if (!temp) throw new Error('useIcecastSuite: dir read before beforeAll ran');
      return temp.dir;
    },
    get tone() {
      if (!tone) throw new Error('useIcecastSuite: tone read before beforeAll ran');
      return tone;
    },
    servers,
    cleanups,
  };
}
