import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { closeRedis, connectRedis, createStore } from '../../src/store/index.js';
import { DEFAULT_STATION, DEMO_FOLDER, DEMO_SONGS, SECRETS } from '../../src/setup/index.js';
import { STATION_MOUNTS_MARKER } from '../../src/icecast-mounts/index.js';
import { fallbackMountOf } from '../../src/station-rules/index.js';
import { runCli } from '../support/cli.js';
import { decodeMp3 } from '../support/decode.js';
import { icecastRunCommandLine, parseStatus, parsesAsJson } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { freePort } from '../support/ports.js';
import { prometheusApi } from '../support/prometheus-server.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';
import { wholeFrames } from '../support/whole-frames.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * docker-compose.yml, run without Docker: every service's command from the compose file itself (so a change
 * there that this machine cannot run fails here), with the same arguments and the same environment names.
 * Only what a container changes is replaced: volume paths by temp folders (one per volume, shared like the
 * volume), service host names and container ports by loopback ports, 0.0.0.0 by 127.0.0.1, and the program
 * names by their native form (`relaycast` = the built CLI, Icecast as its unprivileged user).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEALTHCHECK_PATH = join(ROOT, 'dist', 'src', 'setup', 'healthcheck-main.js');
const SERVICES = ['fallback', 'icecast', 'icecast-config', 'redis', 'relay', 'setup', 'web', 'worker'];
/** Services of the compose profile `edge`, not started by `docker compose up` alone (test/integration/icecast-mounts.test.ts runs an edge). */
const EDGE_SERVICES = ['icecast-edge', 'icecast-edge-config'];
/** The profile `monitoring`: Prometheus runs here natively (Debian's build); Grafana has no Debian package (test/integration/monitoring.test.ts checks its dashboard's queries). */
const MONITORING_SERVICES = ['grafana', 'prometheus'];
/** Services whose /metrics Prometheus scrapes, by the compose host name its config names. */
const SCRAPED_SERVICES = ['fallback', 'relay', 'worker'];

/** The promise: a new user hears music within a minute of starting (images already built). */
const FIRST_MUSIC_LIMIT_MS = 60_000;
const START_TIMEOUT_MS = 15_000;
const ICECAST_START_ATTEMPTS = 3;
/** An Icecast that accepts a connection and never answers must not hang the test: every request is bounded. */
const HTTP_TIMEOUT_MS = 3_000;

interface Service {
  command: string[];
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  user?: string;
  profiles?: string[];
}

const demoTitle = (index: number) => `${DEMO_SONGS[index]!.artist} - ${DEMO_SONGS[index]!.title}`;
const DEMO_TITLES = DEMO_SONGS.map((_song, index) => demoTitle(index));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runsAsRoot = () => process.getuid?.() === 0;

describe('docker-compose.yml run natively: setup, icecast-config, icecast, relay, web, fallback and worker, and the monitoring profile\'s Prometheus', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let services: Record<string, Service>;
  const ports = { redis: 0, icecast: 0, relay: 0, web: 0, prometheus: 0 };
  /** Each scraped service's METRICS_PORT: one port in every container, one each here. */
  const metricsPorts = new Map<string, number>();
  /** Host folder of each compose volume (named or bound), by its source. */
  const volumeDirs = new Map<string, string>();
  const running: ChildProcess[] = [];
  const workers: WorkerProcess[] = [];
  let icecastStderr = '';
  let worker: WorkerProcess;
  let listener: Listener;
  const timings = { setupMs: 0, firstAudioMs: 0, firstTitleMs: 0 };

  /** A container path of `service` as the host folder of the volume mounted there. */
  function hostPath(service: string, value: string): string {
    for (const volume of services[service]!.volumes ?? []) {
      const [source, target] = volume.split(':') as [string, string];
      if (value === target || value.startsWith(`${target}/`)) return volumeDirs.get(source)! + value.slice(target.length);
    }
    return value;
  }

  /** The service's environment with only container paths, host names and container ports replaced. */
  function nativeEnv(service: string): Record<string, string> {
    const native: Record<string, string> = {};
    for (const [name, raw] of Object.entries(services[service]!.environment ?? {})) {
      let value = hostPath(service, String(raw));
      value = value.replace(/^(https?|redis):\/\/(redis|icecast|relay):(\d+)/, (_match, scheme: string, host: keyof typeof ports) => `${scheme}://127.0.0.1:${ports[host]}`);
      if (value === '0.0.0.0') value = '127.0.0.1';
      if (name === 'ICECAST_PORT') value = String(ports.icecast);
      if (name === 'RELAY_PORT') value = String(ports.relay);
      if (name === 'WEB_PORT') value = String(ports.web);
      if (name === 'METRICS_PORT') value = String(metricsPorts.get(service));
      native[name] = value;
    }
    return native;
  }

  /** `relaycast <command>` of a compose service, as the built CLI with that service's environment. */
  function startRelaycast(service: string): WorkerProcess {
    const [program, ...args] = services[service]!.command;
    expect(program).toBe('relaycast');
    const child = spawnWorker(args, nativeEnv(service));
    workers.push(child);
    return child;
  }

  /** A service's healthcheck command, run natively: its exit status and what it printed. */
  function runHealthcheck(service: string): { status: number | null; output: string } {
    const [kind, program, ...args] = services[service]!.healthcheck!.test!;
    expect(kind).toBe('CMD');
    expect(program).toBe('relaycast-healthcheck');
    const result = spawnSync(process.execPath, [HEALTHCHECK_PATH, ...args], {
      env: { PATH: process.env.PATH ?? '', ...nativeEnv(service) },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  }

  function spawnChild(command: string, args: string[], onStderr?: (text: string) => void, env?: Record<string, string>): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => onStderr?.(text));
    running.push(child);
    return child;
  }

  async function startRedis(): Promise<void> {
    const [program, ...args] = services.redis!.command;
    expect(program).toBe('redis-server');
    // The image's working folder /data holds the append-only file: here the volume's folder.
    const child = spawnChild(program!, [...args, '--port', String(ports.redis), '--bind', '127.0.0.1', '--dir', hostPath('redis', '/data')]);
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (;;) {
      const [kind, shell] = services.redis!.healthcheck!.test!;
      expect(kind).toBe('CMD-SHELL');
      const check = spawnSync('sh', ['-c', shell!.replace('redis-cli', `redis-cli -p ${ports.redis}`)], { timeout: 5_000 });
      if (check.status === 0) return;
      if (child.exitCode !== null || performance.now() > deadline) throw new Error(`redis-server from the compose command did not become healthy`);
      await delay(50);
    }
  }

  async function startIcecast(): Promise<void> {
    const [program, ...args] = services.icecast!.command;
    expect(program).toBe('icecast-run');
    const nativeArgs = args.map((arg) => hostPath('icecast', arg));
    // deploy/icecast/icecast-run as in the image; as root, as the Debian package's user, like the image does.
    const [launcher, launcherArgs, launcherEnv] = await icecastRunCommandLine(nativeArgs, join(temp.dir, 'icecast-run'));
    const [, curl, ...curlArgs] = services.icecast!.healthcheck!.test!;
    expect(curl).toBe('curl');
    const healthUrl = curlArgs.find((arg) => arg.startsWith('http://'))!.replace(':8000/', `:${ports.icecast}/`);
    for (let attempt = 1; attempt <= ICECAST_START_ATTEMPTS; attempt += 1) {
      // The reference saw 2.4.4 crash right after start-up about once in 20 starts: try again then.
      const child = spawnChild(launcher, launcherArgs, (text) => (icecastStderr += text), launcherEnv);
      const deadline = performance.now() + START_TIMEOUT_MS;
      while (child.exitCode === null && performance.now() < deadline) {
        const answer = await fetch(healthUrl, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }).then((response) => response.text().then((body) => ({ ok: response.ok, body })), () => undefined);
        if (answer?.ok && parsesAsJson(answer.body)) return;
        await delay(50);
      }
      child.kill('SIGKILL');
    }
    throw new Error(`icecast2 from the compose command did not answer its healthcheck URL ${healthUrl}:\n${icecastStderr.slice(-2000)}`);
  }

  async function mountsOnAir(): Promise<string[]> {
    const text = await fetch(`http://127.0.0.1:${ports.icecast}/status-json.xsl`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }).then((response) => response.text());
    return parseStatus(JSON.parse(text)).sources.map((source) => source.mount);
  }

  async function waitForMount(mount: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await mountsOnAir().catch((): string[] => [])).includes(mount)) {
      if (performance.now() > deadline) throw new Error(`${mount} not on air after ${timeoutMs} ms`);
      await delay(50);
    }
  }

  /** Which part of bringing the stack up is under way: named in the failure when it never finishes. */
  let stage = 'start';

  beforeAll(async () => {
    requirePrograms('docker-compose', 'redis-server', 'redis-cli', 'icecast2', 'setpriv', 'ffmpeg', 'ffprobe', 'prometheus');
    temp = await makeTempDir('compose-stack');
    await copyFile(join(ROOT, 'docker-compose.yml'), join(temp.dir, 'docker-compose.yml'));
    // What Compose makes of the file on a fresh clone (no .env): anchors merged, defaults filled in.
    const config = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: temp.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(config.status, config.stderr).toBe(0);
    services = (parse(config.stdout) as { services: Record<string, Service> }).services;
    expect(Object.keys(services).sort()).toEqual([...SERVICES, ...EDGE_SERVICES, ...MONITORING_SERVICES].sort());
    for (const name of EDGE_SERVICES) expect(services[name]!.profiles).toEqual(['edge']);
    for (const name of MONITORING_SERVICES) expect(services[name]!.profiles).toEqual(['monitoring']);

    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (volumeDirs.has(source)) continue;
        const dir = join(temp.dir, 'volumes', source.replace(/[^A-Za-z0-9._-]+/g, '_'));
        await mkdir(dir, { recursive: true });
        volumeDirs.set(source, dir);
      }
    }
    // As in the image: the config volume belongs to the group Icecast's user is in (here the package's group),
    // and the folders above it let that user through (mkdtemp makes them 0700).
    if (runsAsRoot()) {
      for (const dir of [temp.dir, join(temp.dir, 'volumes')]) await chmod(dir, 0o711);
      const gid = Number(spawnSync('getent', ['group', 'icecast'], { encoding: 'utf8' }).stdout.split(':')[2]);
      await chown(hostPath('setup', '/config'), 0, gid);
      await chmod(hostPath('setup', '/config'), 0o750);
    }
    ports.redis = await freePort();
    ports.icecast = await freePort();
    ports.relay = await freePort();
    ports.web = await freePort();
    ports.prometheus = await freePort();
    for (const name of SCRAPED_SERVICES) metricsPorts.set(name, await freePort());

    const started = performance.now();
    stage = 'redis';
    await startRedis();
    stage = 'setup';
    const setup = await runCli(services.setup!.command.slice(1), { env: nativeEnv('setup'), timeoutMs: 60_000 });
    expect(setup.code, setup.stderr).toBe(0);
    timings.setupMs = performance.now() - started;
    stage = 'icecast-config';
    const writer = startRelaycast('icecast-config');
    await writer.waitForEvent((event) => event.event === 'icecast-config.following', START_TIMEOUT_MS);
    stage = 'icecast';
    await startIcecast();
    stage = 'relay';
    const relay = startRelaycast('relay');
    await relay.waitForEvent((event) => event.msg === 'relay listening', START_TIMEOUT_MS);
    stage = 'web';
    startRelaycast('web');
    stage = 'worker and fallback';
    startRelaycast('fallback');
    worker = startRelaycast('worker');
    await waitForMount(DEFAULT_STATION.mount, 30_000);
    stage = 'listener';
    listener = await listen(`http://127.0.0.1:${ports.icecast}${DEFAULT_STATION.mount}`, { icyMetadata: true });
    await listener.waitForBytes(1, 10_000);
    timings.firstAudioMs = listener.chunks[0]!.at - started;
    stage = 'first demo title';
    const first = await listener.waitForTitle((title) => DEMO_TITLES.includes(title), 30_000);
    stage = 'up';
    timings.firstTitleMs = first.at - started;
    console.info(`compose stack natively: setup done after ${Math.round(timings.setupMs)} ms, first audio at ${Math.round(timings.firstAudioMs)} ms, first demo title at ${Math.round(timings.firstTitleMs)} ms`);
    // Every wait above is bounded and they add up to less than this, so a slow stage fails with its own message.
  }, 240_000);

  afterAll(async () => {
    if (stage !== 'up') console.error(`compose stack did not come up: stuck at ${stage}; worker log tail: ${workers.map((w) => w.stderr().slice(-300) + JSON.stringify(w.events.slice(-5))).join(' | ')}`);
    listener?.close();
    await Promise.all(workers.map((child) => child.stop()));
    for (const child of running.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 4_000);
      await exited;
      clearTimeout(killer);
    }
    await temp?.remove();
  }, 30_000);

  it('a listener hears the demo station with its titles within a minute of setup starting', async () => {
    expect(timings.firstTitleMs).toBeLessThan(FIRST_MUSIC_LIMIT_MS);
    expect(listener.metaint).toBe(4096); // icecast.xml: titles every 0.25 s of audio
    expect(listener.titles.map((received) => received.title).filter(Boolean)[0]).toBe(demoTitle(0));

    // `docker compose exec worker relaycast next main`: the CLI beside the worker, with its environment.
    const skip = await runCli(['next', DEFAULT_STATION.name], { env: nativeEnv('worker') });
    const skipped = performance.now();
    expect(skip.code, skip.stderr).toBe(0);
    const cjk = await listener.waitForTitle((title) => title === demoTitle(1), 5_000);
    expect(cjk.title).toBe('relaycast demo - 你好，电台');
    console.info(`compose stack natively: next title at the listener ${Math.round(cjk.at - skipped)} ms after \`relaycast next\` exited`);

    await listener.waitForBytes(listener.byteCount + 16_000 * 3, 10_000);
    const decoded = await decodeMp3(await wholeFrames(listener.audio()));
    expect(decoded.errors).toEqual([]);
    expect(decoded.sampleRate).toBe(44100);
    // Music, not the silence a station sends when it has nothing: most of what arrived is sound.
    const silentSec = decoded.silences.reduce((sum, silence) => sum + silence.duration, 0);
    expect(silentSec).toBeLessThan(decoded.durationSec / 2);
  });

  it('setup made the secrets, the Icecast config, the demo songs and the default station as the services read them', async () => {
    for (const { file } of SECRETS) {
      const info = await stat(join(hostPath('setup', '/secrets'), file));
      expect((info.mode & 0o777).toString(8)).toBe('640');
    }
    const rendered = await readFile(hostPath('icecast', '/config/icecast.xml'), 'utf8');
    expect(rendered).not.toMatch(/\$\{[A-Z]/);
    const sourcePassword = (await readFile(join(hostPath('setup', '/secrets'), 'icecast-source-password'), 'utf8')).trim();
    expect(rendered).toContain(`<source-password>${sourcePassword}</source-password>`);
    // The default station's mount with its own fallback mount, from Redis (setup, then icecast-config).
    expect(rendered).toContain(`<mount-name>${DEFAULT_STATION.mount}</mount-name>\n        <fallback-mount>${fallbackMountOf(DEFAULT_STATION.mount)}</fallback-mount>`);
    // The base keeps the marker icecast-config renders at.
    expect(await readFile(hostPath('icecast-config', '/config/icecast-base.xml'), 'utf8')).toContain(STATION_MOUNTS_MARKER);
    expect((await readdir(join(hostPath('relay', '/music'), DEMO_FOLDER))).sort()).toEqual(DEMO_SONGS.map((song) => song.file));

    const redis = await connectRedis(`redis://127.0.0.1:${ports.redis}`);
    try {
      const store = createStore(redis);
      expect((await store.stations.list()).map((station) => [station.name, station.mount])).toEqual([[DEFAULT_STATION.name, DEFAULT_STATION.mount]]);
      expect(await store.playlists.get(DEFAULT_STATION.playlist)).toEqual(DEMO_SONGS.map((song) => `local:${DEMO_FOLDER}/${song.file}`));
    } finally {
      await closeRedis(redis);
    }
  });

  it("the services' healthchecks pass: relay answers, worker and fallback are on air", async () => {
    await waitForMount(DEFAULT_STATION.mount, 5_000);
    for (const service of ['relay', 'worker', 'fallback']) {
      const result = runHealthcheck(service);
      expect(result, service).toMatchObject({ status: 0 });
      expect(result.output).toMatch(/^healthy: /);
    }
    expect(runHealthcheck('worker').output).toContain(DEFAULT_STATION.mount);
    expect(runHealthcheck('fallback').output).toContain(fallbackMountOf(DEFAULT_STATION.mount));
    // The fallback mount is hidden: listeners and `relaycast now` see only the stations.
    expect(await mountsOnAir()).toEqual([DEFAULT_STATION.mount]);
  });

  it('the web service answers the now-playing API with the song on air and the stream link; its healthcheck passes', async () => {
    const deadline = performance.now() + 10_000;
    let view: { name: string; streamUrl: string; playing: { title: string; artist: string } | null } | undefined;
    while (!view?.playing) {
      if (performance.now() > deadline) throw new Error(`the web service showed nothing playing within 10 s: ${JSON.stringify(view)}`);
      const response = await fetch(`http://127.0.0.1:${ports.web}/api/stations/${DEFAULT_STATION.name}`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }).catch(() => undefined);
      if (response?.ok) view = (await response.json()) as typeof view;
      else await delay(100);
    }
    expect(view.name).toBe(DEFAULT_STATION.name);
    // ICECAST_PUBLIC_URL's default: what a player on the Docker host opens (the published port 8000).
    expect(view.streamUrl).toBe(`http://localhost:8000${DEFAULT_STATION.mount}`);
    expect(DEMO_TITLES).toContain(`${view.playing.artist} - ${view.playing.title}`);
    const page = await fetch(`http://127.0.0.1:${ports.web}/`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(runHealthcheck('web')).toMatchObject({ status: 0 });
  });

  it("the monitoring profile's Prometheus, run natively with its compose command, scrapes the worker, the fallback and the relay", async () => {
    const service = services.prometheus!;
    expect(service.image).toMatch(/^prom\/prometheus:v2\./);
    // The compose command's flags, with the config and storage paths of its volumes and a loopback address.
    const configFlag = service.command.find((arg) => arg.startsWith('--config.file='))!;
    const scrapeConfig = await nativeScrapeConfig(configFlag.slice('--config.file='.length));
    const args = service.command.map((arg) => {
      if (arg === configFlag) return `--config.file=${scrapeConfig}`;
      if (arg.startsWith('--storage.tsdb.path=')) return `--storage.tsdb.path=${hostPath('prometheus', arg.slice('--storage.tsdb.path='.length))}`;
      if (arg.startsWith('--web.listen-address=')) return `--web.listen-address=127.0.0.1:${ports.prometheus}`;
      return arg;
    });
    expect(args).toContain(`--web.listen-address=127.0.0.1:${ports.prometheus}`);
    spawnChild('prometheus', args);

    const prometheus = prometheusApi(`http://127.0.0.1:${ports.prometheus}`);
    const up = await prometheus.queryUntil('up', (samples) => samples.length === SCRAPED_SERVICES.length && samples.every((sample) => sample.value[1] === '1'), 30_000);
    expect(Object.fromEntries(up.map((sample) => [sample.metric.instance, sample.value[1]]))).toEqual(
      Object.fromEntries(SCRAPED_SERVICES.map((name) => [`127.0.0.1:${metricsPorts.get(name)}`, '1'])),
    );
    const onAir = (await prometheus.query(`relaycast_station_on_air{station="${DEFAULT_STATION.name}"}`)).data?.result ?? [];
    expect(onAir.map((sample) => sample.value[1])).toContain('1');
    console.info(`compose stack natively: Prometheus scraped ${SCRAPED_SERVICES.length} targets, all up; ${DEFAULT_STATION.name} on air = ${onAir.map((sample) => sample.value[1]).join(',')}`);
  });

  /**
   * The repo's scrape config as this machine runs it: each `service:port` target becomes that service's
   * loopback metrics port, and scrapes come every second (a test cannot wait 15 s per round).
   */
  async function nativeScrapeConfig(containerPath: string): Promise<string> {
    const bound = (services.prometheus!.volumes ?? []).map((volume) => volume.split(':')).find(([, target]) => target === containerPath)![0]!;
    // Compose resolved ./deploy/… against the folder it ran in (a copy of the compose file only): the repo's file.
    const source = join(ROOT, relative(temp.dir, bound));
    const config = parse(await readFile(source, 'utf8')) as { global?: Record<string, unknown>; scrape_configs: { static_configs: { targets: string[] }[] }[] };
    config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s' };
    for (const job of config.scrape_configs) {
      for (const group of job.static_configs) {
        group.targets = group.targets.map((target) => {
          const [host, port] = target.split(':');
          expect(services[host!]?.environment?.METRICS_PORT, target).toBe(port);
          return `127.0.0.1:${metricsPorts.get(host!)}`;
        });
      }
    }
    const path = join(temp.dir, 'prometheus.yml');
    await writeFile(path, stringify(config));
    return path;
  }

  it('listeners ride through a worker restart on the fallback mount, and come back to the station', async () => {
    await worker.stop('SIGTERM');
    const mark = listener.titles.length;
    const demoTitleSinceMark = () => listener.titles.slice(mark).some((received) => DEMO_TITLES.includes(received.title));
    // The worker is gone: the listener stays connected and keeps getting (silent) audio from the station's own fallback.
    await listener.waitForBytes(listener.byteCount + 16_000 * 2, 10_000);
    expect(listener.disconnected).toBeUndefined();
    expect(icecastStderr).toContain(`passing 1 listeners to "${fallbackMountOf(DEFAULT_STATION.mount)}"`);

    worker = startRelaycast('worker');
    await listener.waitForTitle(demoTitleSinceMark, 30_000);
    expect(icecastStderr).toContain(`passing 1 listeners to "${DEFAULT_STATION.mount}"`);
    expect(listener.disconnected).toBeUndefined();
  });

  it('setup run again changes nothing: secrets kept, no demo songs made, the station left as it is', async () => {
    const secretsBefore = await Promise.all(SECRETS.map(({ file }) => readFile(join(hostPath('setup', '/secrets'), file), 'utf8')));
    const demoDir = join(hostPath('setup', '/music'), DEMO_FOLDER);
    const songTimes = await Promise.all(DEMO_SONGS.map(async (song) => (await stat(join(demoDir, song.file))).mtimeMs));

    const again = await runCli(services.setup!.command.slice(1), { env: nativeEnv('setup'), timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(await Promise.all(SECRETS.map(({ file }) => readFile(join(hostPath('setup', '/secrets'), file), 'utf8')))).toEqual(secretsBefore);
    expect(await Promise.all(DEMO_SONGS.map(async (song) => (await stat(join(demoDir, song.file))).mtimeMs))).toEqual(songTimes);
    expect(again.stdout).toContain('"origin":"kept"');
    expect(again.stdout).not.toContain('"origin":"generated"');
    expect(again.stdout).toContain('no default station created');
    expect(again.stdout).not.toContain(secretsBefore[0]!.trim());
  });
});

