import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallbackMountOf } from '../../src/station-rules/index.js';
import { EVENTS_CHANNEL } from '../../src/store/index.js';
import { cliAgainst } from '../support/cli.js';
import { decodeMp3 } from '../support/decode.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { wholeFrames } from '../support/whole-frames.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * `relaycast icecast-config` against a real Redis and real Icecasts run through deploy/icecast/icecast-run,
 * as in the compose file: stations made with the CLI reach Icecast's config and Icecast reloads it; a
 * station's own fallback mount keeps its listeners through a source hand-over; a changed base (new secrets)
 * is applied without dropping a listener; an edge relays the stations and their fallbacks with titles.
 * Every wait is bounded and measured from the change that starts it.
 */

/** The writer follows a station event within ~0.5 s; 2 s leaves room for a loaded 2-core machine. */
const FILE_LIMIT_MS = 2_000;
/** File written → icecast-run sees it (checks every 1 s) → Icecast re-reads (its slave thread, ~1 s). */
const RELOAD_LIMIT_MS = 6_000;
const POLL_MS = 20;
const BYTES_PER_SECOND = 16_000;
const RELOAD_LINE = 'Caught config reload request';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value; rejects with `what` after `timeoutMs`. */
async function pollUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(POLL_MS);
  }
}

const reloadCount = async (icecast: IcecastServer) => (await icecast.errorLog()).split(RELOAD_LINE).length - 1;

/** Resolves with performance.now() once Icecast has re-read its config more often than `before` times. */
const waitForReload = (icecast: IcecastServer, before: number, timeoutMs = RELOAD_LIMIT_MS) =>
  pollUntil(`an Icecast config reload (${before} so far)`, timeoutMs, async () => ((await reloadCount(icecast)) > before ? performance.now() : undefined));

const hasMountBlock = (text: string, mount: string) => text.includes(`<mount-name>${mount}</mount-name>`);

describe('relaycast icecast-config: station mounts from Redis in a running Icecast', () => {
  let redis: RedisServer;
  let master: IcecastServer;
  let writer: WorkerProcess;
  const sources: ChildProcess[] = [];
  const listeners: Listener[] = [];
  const processes: WorkerProcess[] = [];
  const cli = cliAgainst(() => ({ REDIS_URL: redis.url }));
  /** Source passwords in force, by Icecast: a test changes the master's. */
  const passwords = new Map<IcecastServer, string>();
  /** performance.now() when each store event reached a subscriber of our own: what the deadlines count from. */
  const storeEvents: Array<{ at: number; type: string; station?: string }> = [];

  function startWriter(icecast: IcecastServer, env: Record<string, string> = {}): WorkerProcess {
    const child = spawnWorker(['icecast-config'], {
      ICECAST_BASE_CONFIG_PATH: icecast.baseConfigPath,
      ICECAST_CONFIG_PATH: icecast.configPath,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'debug',
      ...env,
    });
    processes.push(child);
    return child;
  }

  /** ffmpeg streaming MP3 in real time (-re) to `mount`: a tone, or silence for a fallback. */
  function startSource(icecast: IcecastServer, mount: string, options: { silent?: boolean; password?: string } = {}): ChildProcess {
    const input = options.silent ? 'anullsrc=r=44100:cl=stereo' : 'sine=frequency=440:sample_rate=44100';
    const target = `icecast://source:${options.password ?? passwords.get(icecast) ?? icecast.sourcePassword}@127.0.0.1:${icecast.port}${mount}`;
    const child = spawn(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', input, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-content_type', 'audio/mpeg', '-f', 'mp3', target],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.resume();
    sources.push(child);
    return child;
  }

  async function stopSource(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async function listenTo(icecast: IcecastServer, mount: string): Promise<Listener> {
    const listener = await listen(`${icecast.url}${mount}`, { icyMetadata: true });
    listeners.push(listener);
    return listener;
  }

  /** When the store event of type `type` for `station` reached our subscriber. */
  const eventAt = (type: string, station: string) =>
    pollUntil(`the ${type} event of ${station}`, 5_000, async () => storeEvents.find((event) => event.type === type && event.station === station)?.at);

  /** Creates a station with the CLI; resolves with performance.now() when its event was published. */
  async function createStation(name: string, mount: string): Promise<number> {
    await cli.ok(['station', 'create', name, '--mount', mount, '--playlist', 'songs']);
    return eventAt('station-changed', name);
  }

  /** Waits until `icecast`'s config file has (or, with present false, no longer has) `mount`'s block. */
  async function waitForConfig(icecast: IcecastServer, mount: string, present = true, timeoutMs = FILE_LIMIT_MS): Promise<number> {
    return pollUntil(`${mount} ${present ? 'in' : 'gone from'} ${icecast.configPath}`, timeoutMs, async () => {
      const text = await readFile(icecast.configPath, 'utf8').catch(() => '');
      return hasMountBlock(text, mount) === present && hasMountBlock(text, fallbackMountOf(mount)) === present ? performance.now() : undefined;
    });
  }

  /** A station made with the CLI, in the config file and applied by Icecast; returns the measured delays. */
  async function addStation(icecast: IcecastServer, name: string, mount: string): Promise<{ fileMs: number; reloadMs: number }> {
    const reloadsBefore = await reloadCount(icecast);
    const created = await createStation(name, mount);
    const inFile = await waitForConfig(icecast, mount);
    const reloaded = await waitForReload(icecast, reloadsBefore);
    return { fileMs: inFile - created, reloadMs: reloaded - created };
  }

  beforeAll(async () => {
    requirePrograms('icecast2', 'redis-server', 'ffmpeg', 'setpriv');
    redis = await startRedis();
    const subscriber = redis.client();
    subscriber.on('message', (_channel: string, message: string) => storeEvents.push({ at: performance.now(), ...(JSON.parse(message) as { type: string; station?: string }) }));
    await subscriber.subscribe(EVENTS_CHANNEL);
    master = await startIcecast({ viaIcecastRun: true });
    await cli.ok(['playlist', 'create', 'songs']);
    writer = startWriter(master);
    await writer.waitForEvent((event) => event.event === 'icecast-config.following', 10_000);
    // The writer's first file (the base's marker replaced) makes Icecast reload once: wait for it, so that
    // every reload counted from here on is one a test caused.
    await waitForReload(master, 0);
  }, 60_000);

  afterAll(async () => {
    if (process.env.DEBUG_ICECAST_MOUNTS) console.info((await master?.errorLog())?.slice(-6000), (await readFile(master.configPath, 'utf8')).slice(-3000), writer.stderr());
    for (const listener of listeners) listener.close();
    await Promise.all(sources.map(stopSource));
    await Promise.all(processes.map((child) => child.stop()));
    await master?.stop();
    await redis?.stop();
  }, 30_000);

  it('a station created with the CLI is in the config file within 2 s of its event, and Icecast reloads it', async () => {
    const { fileMs, reloadMs } = await addStation(master, 'one', '/one.mp3');
    console.info(`icecast-mounts: station create → config file ${Math.round(fileMs)} ms, → Icecast reloaded ${Math.round(reloadMs)} ms`);
    expect(fileMs).toBeLessThan(FILE_LIMIT_MS);
    const text = await readFile(master.configPath, 'utf8');
    expect(text).toMatch(/<mount-name>\/one\.mp3<\/mount-name>\s*<fallback-mount>\/fallback\/one\.mp3<\/fallback-mount>\s*<fallback-override>1<\/fallback-override>/);
    expect(text).toMatch(/<mount-name>\/fallback\/one\.mp3<\/mount-name>\s*<hidden>1<\/hidden>/);
    // The writer said what it wrote.
    expect(writer.events.some((event) => event.event === 'icecast-config.written' && (event.mounts as string[]).includes('/one.mp3'))).toBe(true);
  });

  it("a listener stays on the station when its source is killed, on the station's own fallback, and hears it", async () => {
    const fallback = startSource(master, fallbackMountOf('/one.mp3'), { silent: true });
    const main = startSource(master, '/one.mp3');
    await master.waitForMount('/one.mp3', 10_000);
    // The fallback is hidden: it is no station, so the status page does not list it.
    await pollUntil('the fallback source', 10_000, async () => (fallback.exitCode === null && (await master.errorLog()).includes('mountpoint "/fallback/one.mp3"') ? true : undefined));
    const listener = await listenTo(master, '/one.mp3');
    await listener.waitForBytes(BYTES_PER_SECOND, 10_000);

    await stopSource(main);
    const atKill = listener.byteCount;
    await listener.waitForBytes(atKill + BYTES_PER_SECOND * 3, 10_000);
    expect(listener.disconnected).toBeUndefined();
    expect(await master.errorLog()).toContain('passing 1 listeners to "/fallback/one.mp3"');
    // What came after the kill is MP3 a player decodes without an error: the fallback's silence.
    const decoded = await decodeMp3(await wholeFrames(listener.audio().subarray(atKill)));
    expect(decoded.errors).toEqual([]);
    expect(decoded.durationSec).toBeGreaterThan(2);

    // The station's source returns: the listener is moved back to it (fallback-override).
    startSource(master, '/one.mp3');
    await pollUntil('the listener back on /one.mp3', 15_000, async () => ((await master.errorLog()).includes('passing 1 listeners to "/one.mp3"') ? true : undefined));
    expect(listener.disconnected).toBeUndefined();
    await stopSource(fallback);
  });

  it("removing the station removes its blocks from Icecast's config", async () => {
    await createStation('gone', '/gone.mp3');
    await waitForConfig(master, '/gone.mp3');
    await cli.ok(['station', 'rm', 'gone']);
    const removed = await eventAt('station-removed', 'gone');
    const goneAt = await waitForConfig(master, '/gone.mp3', false);
    console.info(`icecast-mounts: station rm → blocks gone from the config file ${Math.round(goneAt - removed)} ms`);
    expect(hasMountBlock(await readFile(master.configPath, 'utf8'), '/one.mp3')).toBe(true);
  });

  it('a new source password in the base reaches Icecast: a source with it is accepted, a listener on another mount stays', async () => {
    await addStation(master, 'two', '/two.mp3');
    startSource(master, '/two.mp3');
    await master.waitForMount('/two.mp3', 10_000);
    const listener = await listenTo(master, '/two.mp3');
    await listener.waitForBytes(BYTES_PER_SECOND, 10_000);
    await addStation(master, 'three', '/three.mp3');

    // As setup does when .env's ICECAST_SOURCE_PASSWORD changed: the base re-rendered, replaced in one step.
    const newPassword = 'a-new-source-password-0123';
    const base = await readFile(master.baseConfigPath, 'utf8');
    expect(base).toContain(`<source-password>${master.sourcePassword}</source-password>`);
    const reloadsBefore = await reloadCount(master);
    await writeFile(`${master.baseConfigPath}.new`, base.replace(`<source-password>${master.sourcePassword}</source-password>`, `<source-password>${newPassword}</source-password>`));
    await rename(`${master.baseConfigPath}.new`, master.baseConfigPath);
    const changed = performance.now();
    passwords.set(master, newPassword);

    // The writer polls the base every 2 s: the config follows within one poll, Icecast within its reload.
    const inFile = await pollUntil('the new password in the config', 2_000 + FILE_LIMIT_MS, async () =>
      (await readFile(master.configPath, 'utf8')).includes(newPassword) ? performance.now() : undefined,
    );
    const reloaded = await waitForReload(master, reloadsBefore);
    const source = await pollUntil('a source with the new password on /three.mp3', 10_000, async () => {
      const child = startSource(master, '/three.mp3', { password: newPassword });
      const mounted = await master.waitForMount('/three.mp3', 1_500).then(() => true, () => false);
      if (mounted) return child;
      await stopSource(child);
      return undefined;
    });
    console.info(
      `icecast-mounts: base changed → config file ${Math.round(inFile - changed)} ms, → Icecast reloaded ${Math.round(reloaded - changed)} ms, → source with the new password on air ${Math.round(performance.now() - changed)} ms`,
    );
    expect(source.exitCode).toBeNull();
    const before = listener.byteCount;
    await listener.waitForBytes(before + BYTES_PER_SECOND * 2, 10_000);
    expect(listener.disconnected).toBeUndefined();
  });

  describe('an edge Icecast relaying the stations from the master', () => {
    let edge: IcecastServer;
    /** The master's two sources of /edge.mp3 (its station and its fallback). */
    const edgeSources: ChildProcess[] = [];

    beforeAll(async () => {
      edge = await startIcecast({ viaIcecastRun: true });
      const edgeWriter = startWriter(edge, { ICECAST_EDGE_MASTER: `127.0.0.1:${master.port}` });
      await edgeWriter.waitForEvent((event) => event.event === 'icecast-config.following', 10_000);
      await waitForReload(edge, 0);
    }, 60_000);

    afterAll(async () => {
      await edge?.stop();
    }, 30_000);

    it('an edge listener gets the title set on the master and stays connected while the master source is killed and restarted', async () => {
      /** Sets the title on the master, asking again until the mount's source is there to take it (400 before). */
      const masterSetTitle = (title: string) =>
        pollUntil(`the master taking the title ${title}`, 10_000, async () => {
          const auth = Buffer.from(`admin:${master.adminPassword}`).toString('base64');
          const url = `${master.url}/admin/metadata?mount=/edge.mp3&mode=updinfo&song=${encodeURIComponent(title)}`;
          const answer = await fetch(url, { headers: { Authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(3_000) }).then((response) => response.text(), () => '');
          return answer.includes('Metadata update successful') ? true : undefined;
        });
      const edgeReloads = await reloadCount(edge);
      const created = await createStation('edge', '/edge.mp3');
      await waitForConfig(edge, '/edge.mp3');
      await waitForReload(edge, edgeReloads);
      const edgeText = await readFile(edge.configPath, 'utf8');
      expect(edgeText).toContain(`<server>127.0.0.1</server>`);
      expect(edgeText.match(/<relay>/g)?.length).toBe(2 * 4); // one, two, three and edge: each mount and its fallback
      const fallback = startSource(master, fallbackMountOf('/edge.mp3'), { silent: true });
      let main = startSource(master, '/edge.mp3');
      edgeSources.push(fallback);
      await master.waitForMount('/edge.mp3', 10_000);
      await pollUntil('the master fallback source', 10_000, async () => (fallback.exitCode === null && (await master.errorLog()).includes('mountpoint "/fallback/edge.mp3"') ? true : undefined));
      // Icecast retries a relay whose master mount was not there yet on its own schedule: measured here.
      const relayed = await edge.waitForMount('/edge.mp3', 30_000);
      console.info(`icecast-mounts: edge relay of /edge.mp3 on air ${Math.round(performance.now() - created)} ms after station create`);
      expect(relayed.mount).toBe('/edge.mp3');

      await masterSetTitle('Master Artist - First Title');
      const listener = await listenTo(edge, '/edge.mp3');
      expect(listener.metaint).toBeGreaterThan(0);
      await listener.waitForTitle((title) => title === 'Master Artist - First Title', 10_000);

      await stopSource(main);
      const killed = performance.now();
      const atKill = listener.byteCount;
      await listener.waitForBytes(atKill + BYTES_PER_SECOND * 3, 10_000);
      expect(listener.disconnected).toBeUndefined();

      main = startSource(master, '/edge.mp3');
      edgeSources.push(main);
      await masterSetTitle('Master Artist - Second Title');
      const second = await listener.waitForTitle((title) => title === 'Master Artist - Second Title', 15_000);
      console.info(`icecast-mounts: edge listener rode through the master source's kill and restart; second title at the edge ${Math.round(second.at - killed)} ms after the kill`);
      expect(listener.disconnected).toBeUndefined();
      const decoded = await decodeMp3(await wholeFrames(listener.audio().subarray(atKill)));
      expect(decoded.errors).toEqual([]);
    });

    it('an edge relay whose master mount went away entirely (no source, no fallback source) is back on its own when the master mount returns', async () => {
      await Promise.all(edgeSources.map(stopSource));
      await pollUntil('the edge losing /edge.mp3', 15_000, async () => ((await edge.status()).sources.some((source) => source.mount === '/edge.mp3') ? undefined : true));
      const restarted = performance.now();
      startSource(master, fallbackMountOf('/edge.mp3'), { silent: true });
      startSource(master, '/edge.mp3');
      await edge.waitForMount('/edge.mp3', 90_000);
      console.info(`icecast-mounts: edge relay reconnected ${Math.round(performance.now() - restarted)} ms after the master's sources of /edge.mp3 came back`);
    }, 120_000);

    it('an edge relay that found no mount on the master (station created before its source) is on air within seconds of the source starting', async () => {
      const edgeReloads = await reloadCount(edge);
      await createStation('late', '/late.mp3');
      await waitForConfig(edge, '/late.mp3');
      await waitForReload(edge, edgeReloads);
      // The edge tried the relay and the master had no such mount: Icecast 2.4.4 left alone would try again only
      // after 120 s (its default master-update-interval).
      await pollUntil('the edge failing to relay /late.mp3', 15_000, async () => ((await edge.errorLog()).includes('Error from relay request: /late.mp3') ? true : undefined));
      const started = performance.now();
      startSource(master, fallbackMountOf('/late.mp3'), { silent: true });
      startSource(master, '/late.mp3');
      await edge.waitForMount('/late.mp3', 20_000);
      console.info(`icecast-mounts: edge relay of a mount missing at first on air ${Math.round(performance.now() - started)} ms after the master's source started`);
    }, 60_000);
  });
});
