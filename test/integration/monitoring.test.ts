import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { requirePrograms } from '../support/prereq.js';
import { parsePrometheusText, type Family } from '../support/prometheus-text.js';
import { checkConfig, requirePrometheus, startPrometheus, type PrometheusSample, type PrometheusServer } from '../support/prometheus-server.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

const PROMETHEUS_CONFIG = join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml');
const DATASOURCE_FILE = join(REPO_ROOT, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml');
const PROVIDER_FILE = join(REPO_ROOT, 'deploy', 'grafana', 'provisioning', 'dashboards', 'relaycast.yml');
const DASHBOARD_FILE = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards', 'relaycast.json');

const STATION = { station: 'metered', mount: '/metered.mp3' };
/** Scrapes every second so the test sees a rate within seconds; Prometheus wants the timeout within it. */
const TEST_SCRAPE = '1s';
/** Grafana's $__rate_interval is at least four scrape intervals: the same here, plus room for a late scrape. */
const GRAFANA_INTERVALS: Record<string, string> = { $__rate_interval: '10s', $__interval: '5s' };
/** Names Prometheus makes itself; every other name in the dashboard must be one relaycast exports. */
const PROMETHEUS_OWN = new Set(['up']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** Scrapes start within one interval of the config loading; a loaded machine gets many intervals. */
const TARGETS_UP_TIMEOUT_MS = 30_000;
/** Listener counts are read from Icecast at most every 10 s per worker (README, Metrics). */
const LISTENERS_TIMEOUT_MS = 30_000;
const SERIES_TIMEOUT_MS = 20_000;

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: { targets: string[] }[];
}
interface PrometheusConfig {
  global?: Record<string, unknown>;
  scrape_configs: ScrapeConfig[];
}
interface Datasource {
  type?: string;
  uid?: string;
}
interface Target {
  refId: string;
  expr: string;
  datasource?: Datasource;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: Datasource;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; multi?: boolean; includeAll?: boolean; definition?: string; datasource?: Datasource }[] };
}

/** Every panel, those inside collapsed rows included. */
const allPanels = (panels: readonly Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
const exprsOf = (dashboard: Dashboard) => allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Every `datasource` object anywhere in the dashboard: panels, targets, variables. */
function datasourcesIn(value: unknown): Datasource[] {
  if (Array.isArray(value)) return value.flatMap(datasourcesIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'datasource' ? [inner as Datasource] : datasourcesIn(inner)));
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The expression Grafana sends: the variables replaced as Grafana replaces them for one selected station. */
function asGrafanaSends(expr: string, station: string): string {
  let sent = expr.replaceAll('$station', escapeRegex(station));
  for (const [name, value] of Object.entries(GRAFANA_INTERVALS)) sent = sent.replaceAll(name, value);
  return sent;
}

/** Metric names in a PromQL expression: relaycast's (by prefix) and the few Prometheus makes. */
function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const names = [...withoutStrings.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)].map((match) => match[0]);
  return names.filter((name) => name.startsWith('relaycast_') || PROMETHEUS_OWN.has(name));
}

/** The exported family a sample name belongs to (a histogram's _bucket, _sum and _count go to the histogram). */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  if (families.has(name)) return families.get(name);
  const suffix = HISTOGRAM_SUFFIXES.find((candidate) => name.endsWith(candidate));
  const base = suffix ? families.get(name.slice(0, -suffix.length)) : undefined;
  return base?.type === 'histogram' ? base : undefined;
}

/**
 * The repo's scrape config made runnable here: each compose service's `host:9464` becomes the loopback port of
 * the process standing in for it, and scrapes come every second. Jobs, their names and their targets stay.
 */
function deriveConfig(source: PrometheusConfig, portOf: Record<string, number>): PrometheusConfig {
  const derived = structuredClone(source);
  derived.global = { ...derived.global, scrape_interval: TEST_SCRAPE, scrape_timeout: TEST_SCRAPE, evaluation_interval: TEST_SCRAPE };
  for (const job of derived.scrape_configs) {
    delete job.scrape_interval;
    delete job.scrape_timeout;
    for (const group of job.static_configs ?? []) group.targets = group.targets.map((target) => loopbackOf(target, portOf));
  }
  return derived;
}

function loopbackOf(target: string, portOf: Record<string, number>): string {
  const [host = '', port] = target.split(':');
  if (port !== '9464') throw new Error(`${target}: the compose services serve metrics on METRICS_PORT=9464`);
  const local = portOf[host];
  if (local === undefined) throw new Error(`${target}: no process of this test stands in for service ${host}; start one`);
  return `127.0.0.1:${local}`;
}

const valueOf = (sample: PrometheusSample | undefined) => (sample ? Number(sample.value[1]) : undefined);

async function scrape(port: number): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

/** What the scrape returned, for the issue's closing note: one line per question asked of Prometheus. */
async function summarize(prometheus: PrometheusServer, serviceOf: ReadonlyMap<string, string>): Promise<string> {
  const where = (sample: PrometheusSample) => [serviceOf.get(sample.metric.instance ?? '') ?? sample.metric.instance, sample.metric.mount].filter(Boolean).join(' ');
  const ask = async (expr: string, name: (sample: PrometheusSample) => string = where) =>
    (await prometheus.query(expr)).data?.result.map((sample) => `${name(sample)}=${sample.value[1]}`).join(' ') ?? '';
  const lines = [
    `up: ${await ask('up')}`,
    `samples per scrape: ${await ask('scrape_samples_scraped')}`,
    `relaycast series: ${await ask('count by (job) ({__name__=~"relaycast_.+"})', (sample) => sample.metric.job ?? '')}`,
    `on air: ${await ask('relaycast_station_on_air')}`,
    `listeners: ${await ask('relaycast_station_listeners')}`,
    `songs started: ${await ask(`relaycast_songs_started_total{mount="${STATION.mount}"}`)}`,
    `wanted silence s: ${await ask('relaycast_station_wanted_silence_seconds_total')}`,
    `song lookups ok: ${await ask('relaycast_relay_request_duration_seconds_count{outcome="ok"}')}`,
    `redis up: ${await ask('relaycast_redis_up')}`,
    `relay requests: ${await ask('relaycast_relay_requests_total', (sample) => `${sample.metric.route} ${sample.metric.status}`)}`,
  ];
  return `Prometheus ${prometheus.url} scraped every ${TEST_SCRAPE}:\n  ${lines.join('\n  ')}`;
}

describe('monitoring: a real Prometheus scrapes a worker, a fallback and a relay with the repo\'s config; the Grafana dashboard\'s queries work on it', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let worker: WorkerProcess;
  let fallback: WorkerProcess;
  let listener: Listener | undefined;
  let prometheus: PrometheusServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let dashboard: Dashboard;
  /** Compose service name → metrics port of the process standing in for it. */
  const portOf: Record<string, number> = {};
  /** Prometheus's instance label → compose service name, for the summary. */
  const serviceOf = new Map<string, string>();

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    requirePrometheus();
    dashboard = JSON.parse(await readFile(DASHBOARD_FILE, 'utf8')) as Dashboard;
    temp = await makeTempDir('monitoring');
    const musicDir = join(temp.dir, 'music');
    await mkdir(musicDir);
    await Promise.all([
      makeTone({ path: join(musicDir, 'alpha.m4a'), seconds: 4, frequency: 440, format: 'm4a', title: 'ALPHA', artist: 'Monitoring' }),
      makeTone({ path: join(musicDir, 'bravo.m4a'), seconds: 4, frequency: 660, format: 'm4a', title: 'BRAVO', artist: 'Monitoring' }),
    ]);
    [icecast, redis] = await Promise.all([startIcecast(), startRedis()]);
    for (const service of ['worker', 'fallback', 'relay']) portOf[service] = await freePort();
    relay = await startRelay(musicDir, { env: { METRICS_PORT: String(portOf.relay) } });
    const icecastConfig = { url: icecast.url, sourcePassword: icecast.sourcePassword, adminUser: 'admin', adminPassword: icecast.adminPassword };
    // As in the compose stack: a worker playing the station (seeded into Redis from its config) and a fallback
    // worker feeding the station's fallback mount.
    worker = await startWorker(
      { icecast: icecastConfig, relay: { url: relay.url, token: relay.token }, redis: { url: redis.url }, cacheDir: join(temp.dir, 'cache'), stations: [{ name: STATION.station, mount: STATION.mount, songs: ['local:alpha.m4a', 'local:bravo.m4a'] }] },
      { METRICS_PORT: String(portOf.worker) },
    );
    fallback = await startWorker({ icecast: icecastConfig, redis: { url: redis.url }, workerRole: 'fallback' }, { METRICS_PORT: String(portOf.fallback) });
    await icecast.waitForMount(STATION.mount, 15_000);
    listener = await listen(`${icecast.url}${STATION.mount}`);

    const derived = deriveConfig(parse(await readFile(PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig, portOf);
    for (const [service, port] of Object.entries(portOf)) serviceOf.set(`127.0.0.1:${port}`, service);
    prometheus = await startPrometheus(derived);
  }, 120_000);

  afterAll(async () => {
    if (prometheus) console.info(await summarize(prometheus, serviceOf).catch((error: Error) => `no summary: ${error.message}`));
    listener?.close();
    await prometheus?.stop();
    await Promise.all([worker?.stop(), fallback?.stop()]);
    await relay?.stop();
    await Promise.all([redis?.stop(), icecast?.stop()]);
    await temp?.remove();
  }, 60_000);

  it('promtool accepts deploy/prometheus/prometheus.yml', () => {
    const result = checkConfig(PROMETHEUS_CONFIG);
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('scrapes every target of the config (up = 1) and sees the station on air', async () => {
    const expected = serviceOf.size;
    const up = await prometheus.queryUntil('up', (samples) => samples.length === expected && samples.every((sample) => sample.value[1] === '1'), TARGETS_UP_TIMEOUT_MS);
    expect(new Set(up.map((sample) => serviceOf.get(sample.metric.instance!)))).toEqual(new Set(serviceOf.values()));
    const onAir = await prometheus.queryUntil(`relaycast_station_on_air{station="${STATION.station}",mount="${STATION.mount}"}`, (samples) => valueOf(samples[0]) === 1, SERIES_TIMEOUT_MS);
    expect(onAir).toHaveLength(1);
    expect(onAir[0]!.metric.job).toBe('relaycast-worker');
    // The listener connected above, counted by Icecast and read by the worker at its next poll.
    await prometheus.queryUntil(`relaycast_station_listeners{station="${STATION.station}",mount="${STATION.mount}"}`, (samples) => (valueOf(samples[0]) ?? 0) >= 1, LISTENERS_TIMEOUT_MS);
  }, TARGETS_UP_TIMEOUT_MS + SERIES_TIMEOUT_MS + LISTENERS_TIMEOUT_MS + 10_000);

  it('the dashboard uses the provisioned data source everywhere, and a file provider loads it', async () => {
    const provisioned = parse(await readFile(DATASOURCE_FILE, 'utf8')) as { datasources: { uid: string; type: string; url: string; isDefault: boolean; editable: boolean }[] };
    expect(provisioned.datasources).toHaveLength(1);
    const source = provisioned.datasources[0]!;
    expect(source).toMatchObject({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090', isDefault: true, editable: false });
    const provider = parse(await readFile(PROVIDER_FILE, 'utf8')) as { providers: { type: string; options: { path: string } }[] };
    // That its path is where docker-compose.yml mounts the dashboards: compose-config.test.ts.
    expect(provider.providers.map((entry) => entry.type)).toEqual(['file']);

    expect(dashboard).toMatchObject({ uid: 'relaycast', title: 'relaycast' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    for (const panel of allPanels(dashboard.panels)) {
      expect(panel.datasource, panel.title).toEqual({ type: source.type, uid: source.uid });
      for (const target of panel.targets ?? []) expect(target.datasource, `${panel.title} ${target.refId}`).toEqual({ type: source.type, uid: source.uid });
    }
    for (const datasource of datasourcesIn(dashboard)) expect(datasource).toEqual({ type: source.type, uid: source.uid });
  });

  it('the station variable lists the station, from the series Prometheus scraped', async () => {
    const variable = dashboard.templating.list.find((entry) => entry.name === 'station');
    expect(variable).toMatchObject({ type: 'query', multi: true, includeAll: true });
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable!.definition ?? '') ?? [];
    expect(label).toBe('station');
    expect(await prometheus.labelValues(label!, metric!)).toContain(STATION.station);
  });

  it('Prometheus accepts every query of every panel; every per-station query returns series for the station', async () => {
    const exprs = exprsOf(dashboard);
    expect(exprs.length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const { panel, expr } of exprs) {
      const answer = await prometheus.query(asGrafanaSends(expr, STATION.station));
      if (answer.status !== 'success') refused.push(`${panel}: ${expr}: ${answer.error}`);
    }
    expect(refused).toEqual([]);
    // A rate needs two scrapes within its window: polled, bounded, rather than assumed after a sleep.
    const perStation = exprs.filter(({ expr }) => expr.includes('$station'));
    expect(perStation.length).toBeGreaterThan(8);
    for (const { expr } of perStation) await prometheus.queryUntil(asGrafanaSends(expr, STATION.station), (samples) => samples.length > 0, SERIES_TIMEOUT_MS);
  }, 120_000);

  it('every metric the dashboard names is exported by the worker or the relay, and every relaycast metric has a panel', async () => {
    const scrapes = await Promise.all(Object.values(portOf).map(scrape));
    const families = new Map(scrapes.flatMap((scraped) => [...scraped]));
    const used = new Set(exprsOf(dashboard).flatMap(({ expr }) => metricNamesIn(expr)));
    const unknown = [...used].filter((name) => !PROMETHEUS_OWN.has(name) && !familyOf(name, families));
    expect(unknown, 'metric names the dashboard uses but no process exports').toEqual([]);
    const shown = new Set([...used].map((name) => familyOf(name, families)?.name));
    const unshown = [...families.keys()].filter((name) => name.startsWith('relaycast_') && !shown.has(name));
    expect(unshown, 'metrics no panel shows').toEqual([]);
  });

});
