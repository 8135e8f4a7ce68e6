import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.js';
import { readSetupSettings, REDIS_WAIT_MS, SECRETS, runSetup, type RunProgram, type SetupDeps } from '../../../src/setup/index.js';
import { StoreUnavailableError, type Store } from '../../../src/store/index.js';
import { systemClock } from '../../../src/time/index.js';
import { STATION_MOUNTS_MARKER } from '../../../src/icecast-mounts/index.js';
import { captureLog } from '../../support/icecast.js';
import { makeTempDir } from '../../support/tmp.js';

/** ffmpeg stand-in: writes a file where the real one would write the song. */
const fakeFfmpeg: RunProgram = async (_program, args) => writeFile(args.at(-1)!, 'audio');

function fakeStore() {
  const calls: string[] = [];
  const store = {
    stations: {
      list: async () => [],
      create: async (name: string) => (calls.push(`station ${name}`), { name }),
    },
    playlists: {
      list: async () => [],
      length: async () => 0,
      create: async (name: string) => void calls.push(`playlist ${name}`),
      add: async (name: string, refs: readonly string[]) => (calls.push(`add ${name} ${refs.join(' ')}`), refs.length),
    },
  } as unknown as Store;
  return { store, calls };
}

describe('runSetup', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let env: Record<string, string>;
  beforeEach(async () => {
    temp = await makeTempDir('setup');
    env = {
      SECRETS_DIR: join(temp.dir, 'secrets'),
      ICECAST_CONFIG_PATH: join(temp.dir, 'config', 'icecast.xml'),
      MUSIC_DIR: join(temp.dir, 'music'),
      REDIS_URL: 'redis://redis:6379',
    };
    await mkdir(env.MUSIC_DIR!);
  });
  afterEach(() => temp.remove());

  it('makes secrets, the Icecast config, demo songs and the default station, and logs no secret', async () => {
    const log = captureLog();
    const { store, calls } = fakeStore();
    const deps: SetupDeps = { logger: createLogger({ destination: log }), runProgram: fakeFfmpeg, openStore: async () => ({ store, close: async () => {} }) };
    const report = await runSetup(await readSetupSettings(env), deps);

    expect(Object.values(report.secrets).map((secret) => secret.origin)).toEqual(SECRETS.map(() => 'generated'));
    const rendered = await readFile(env.ICECAST_CONFIG_PATH!, 'utf8');
    const adminPassword = (await readFile(join(env.SECRETS_DIR!, 'icecast-admin-password'), 'utf8')).trim();
    expect(rendered).toContain(`<admin-password>${adminPassword}</admin-password>`);
    expect(report.demoSongs).toHaveLength(4);
    expect(report.defaultStation).toEqual({ created: true, songs: 0 });
    expect(calls[0]).toBe('playlist main');
    expect(calls[1]).toMatch(/^add main local:demo\/01-morning-arpeggio\.m4a local:demo\/02-/);
    expect(calls[2]).toBe('station main');

    const secrets = await Promise.all(['icecast-source-password', 'icecast-relay-password', 'relay-token'].map((file) => readFile(join(env.SECRETS_DIR!, file), 'utf8')));
    for (const secret of [adminPassword, ...secrets.map((value) => value.trim())]) expect(log.raw.join('')).not.toContain(secret);
    expect(log.lines.map((line) => line.msg)).toContain('default station created');
  });

  it('makes no demo songs in a music folder that has music, nor with DEMO_SONGS=0', async () => {
    const run: RunProgram = async () => {
      throw new Error('ffmpeg must not run');
    };
    const deps = { logger: createLogger({ destination: captureLog() }), runProgram: run };
    expect((await runSetup(await readSetupSettings({ ...env, REDIS_URL: '', DEMO_SONGS: '0' }), deps)).demoSongs).toEqual([]);
    await writeFile(join(env.MUSIC_DIR!, 'mine.mp3'), 'x');
    expect((await runSetup(await readSetupSettings({ ...env, REDIS_URL: '' }), deps)).demoSongs).toEqual([]);
  });

  it('goes on without demo songs when the music folder cannot be written (a read-only mount), saying so', async () => {
    const log = captureLog();
    const failing: RunProgram = async () => {
      throw new Error('Permission denied');
    };
    const report = await runSetup(await readSetupSettings({ ...env, REDIS_URL: '' }), { logger: createLogger({ destination: log }), runProgram: failing });
    expect(report.demoSongs).toEqual([]);
    expect(log.lines.find((line) => line.level === 'warn')?.msg).toContain('could not make the demo songs');
  });

  it('waits for a Redis that is still starting, and gives up after REDIS_WAIT_MS', async () => {
    let clock = 0;
    let attempts = 0;
    const { store } = fakeStore();
    const deps: SetupDeps = {
      logger: createLogger({ destination: captureLog() }),
      runProgram: fakeFfmpeg,
      clock: {
        ...systemClock,
        now: () => clock,
        setTimeout: (callback, ms) => {
          clock += ms;
          callback();
          return { clear: () => undefined };
        },
      },
      openStore: async () => {
        attempts += 1;
        if (attempts < 4) throw new StoreUnavailableError('cannot reach Redis');
        return { store, close: async () => {} };
      },
    };
    expect((await runSetup(await readSetupSettings(env), deps)).defaultStation).toMatchObject({ created: true });
    expect(attempts).toBe(4);

    clock = 0;
    const never: SetupDeps = { ...deps, openStore: async () => Promise.reject(new StoreUnavailableError('cannot reach Redis')) };
    await expect(runSetup(await readSetupSettings(env), never)).rejects.toThrow('cannot reach Redis');
    expect(clock).toBeGreaterThanOrEqual(REDIS_WAIT_MS);
  });

  it("writes the rendered template as the base (marker kept) and Icecast's config with every stored station's mounts", async () => {
    const store = {
      ...fakeStore().store,
      stations: { list: async () => [{ name: 'jazz', mount: '/jazz.mp3' }, { name: 'main', mount: '/radio.mp3' }], create: async () => undefined },
    } as unknown as Store;
    const deps: SetupDeps = { logger: createLogger({ destination: captureLog() }), runProgram: fakeFfmpeg, openStore: async () => ({ store, close: async () => {} }) };
    const report = await runSetup(await readSetupSettings(env), deps);
    expect(report.icecastBaseConfig).toBe(join(temp.dir, 'config', 'icecast-base.xml'));
    const base = await readFile(report.icecastBaseConfig, 'utf8');
    expect(base).toContain(STATION_MOUNTS_MARKER);
    expect(base).not.toContain('<mount-name>');
    const config = await readFile(env.ICECAST_CONFIG_PATH!, 'utf8');
    expect([...config.matchAll(/<mount-name>([^<]*)</g)].map((match) => match[1])).toEqual(['/jazz.mp3', '/fallback/jazz.mp3', '/radio.mp3', '/fallback/radio.mp3']);

    // Without Redis there are no stored stations: the config is the base with none.
    await runSetup(await readSetupSettings({ ...env, REDIS_URL: '' }), deps);
    expect(await readFile(env.ICECAST_CONFIG_PATH!, 'utf8')).not.toContain('<mount-name>');
  });
});
