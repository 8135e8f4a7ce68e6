import { spawnSync } from 'node:child_process';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_SETTINGS } from '../../src/config/index.js';
import { RELAY_ENV_SETTINGS } from '../../src/config/relay-environment.js';
import { ICECAST_CONFIG_ENV_SETTINGS } from '../../src/icecast-mounts/index.js';
import { SECRETS, SETUP_ENV_SETTINGS } from '../../src/setup/index.js';
import { WEB_ENV_SETTINGS } from '../../src/web/settings.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.relay.yml'] as const;
const COMPOSE_TIMEOUT_MS = 30_000;

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
}

/**
 * `docker-compose config` in a folder holding only the compose file (and `.env` when given): what Compose
 * itself makes of the file, as a new user's clone without a .env has it. A clean environment, so a
 * variable of the machine running the tests cannot stand in for a missing default.
 */
function composeConfig(dir: string, file: string, env: Record<string, string> = {}, profiles: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', file, ...profiles.flatMap((profile) => ['--profile', profile]), 'config'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: COMPOSE_TIMEOUT_MS,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Names a service may set: the command's settings and their NAME_FILE forms. */
const withFileForms = (names: readonly string[]) => new Set(names.flatMap((name) => [name, `${name}_FILE`]));

describe('the compose files', () => {
  let temp: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    requirePrograms('docker-compose');
    temp = await makeTempDir('compose-config');
    for (const file of COMPOSE_FILES) await copyFile(join(ROOT, file), join(temp.dir, file));
  });

  afterAll(async () => {
    await temp?.remove();
  });

  it("docker-compose.yml validates with Debian's docker-compose on a fresh clone without .env, warning about nothing", () => {
    const result = composeConfig(temp.dir, 'docker-compose.yml');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const services = (parse(result.stdout) as { services: Record<string, unknown> }).services;
    expect(Object.keys(services).sort()).toEqual(['fallback', 'grafana', 'icecast', 'icecast-config', 'icecast-edge', 'icecast-edge-config', 'prometheus', 'redis', 'relay', 'setup', 'web', 'worker']);
  });

  it('the monitoring profile validates: Prometheus and Grafana on pinned images, with the repo files they read', async () => {
    type Full = ComposeService & { image?: string; profiles?: string[]; volumes?: string[]; ports?: unknown[] };
    const result = composeConfig(temp.dir, 'docker-compose.yml', {}, ['monitoring']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    const { services } = parse(result.stdout) as { services: Record<string, Full> };
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]!.profiles, name).toEqual(['monitoring']);
      // A tag with a version, never latest: the stack that was tested is the stack that runs.
      expect(services[name]!.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
    // Every file the profile binds in from the repo is there (Compose would make an empty folder instead).
    const raw = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Full> };
    const bound = ['prometheus', 'grafana'].flatMap((name) => (raw.services[name]!.volumes ?? []).filter((volume) => volume.startsWith('./')));
    expect(bound.length).toBe(3);
    for (const volume of bound) await expect(stat(join(ROOT, volume.split(':')[0]!)), volume).resolves.toBeDefined();
    // Prometheus has no login: reachable from this machine only.
    expect(JSON.stringify(services.prometheus!.ports)).toContain('127.0.0.1');
    expect(services.grafana!.environment).toMatchObject({ GF_SECURITY_ADMIN_PASSWORD__FILE: '/secrets/grafana-admin-password' });
    // Grafana finds the dashboards where the provisioning file looks, and opens relaycast's on its home page.
    const provider = parse(await readFile(join(ROOT, 'deploy/grafana/provisioning/dashboards/relaycast.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const dashboardsAt = raw.services.grafana!.volumes!.find((volume) => volume.startsWith('./deploy/grafana/dashboards:'))!.split(':')[1];
    expect(provider.providers.map((entry) => entry.options.path)).toEqual([dashboardsAt]);
    const home = services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(home.startsWith(`${dashboardsAt}/`)).toBe(true);
    await expect(stat(join(ROOT, 'deploy/grafana/dashboards', home.slice(dashboardsAt!.length + 1)))).resolves.toBeDefined();
    expect(SECRETS.map((secret) => secret.file)).toContain('grafana-admin-password');
    // Each metrics port the scrape config names is the one the service serves /metrics on.
    const scrape = await readFile(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
    for (const name of ['worker', 'fallback', 'relay']) {
      const port = services[name]!.environment!.METRICS_PORT;
      expect(port, name).toMatch(/^\d+$/);
      expect(scrape, name).toContain(`${name}:${port}`);
    }
  });

  it("Icecast runs through icecast-run on the file icecast-config writes from setup's base; the edge profile does the same for an edge", () => {
    type Full = ComposeService & { profiles?: string[]; ports?: unknown[]; depends_on?: Record<string, { condition: string }>; volumes?: string[] };
    const { services } = parse(composeConfig(temp.dir, 'docker-compose.yml').stdout) as { services: Record<string, Full> };
    expect(services.setup!.environment).toMatchObject({ ICECAST_BASE_CONFIG_PATH: '/config/icecast-base.xml', ICECAST_CONFIG_PATH: '/config/icecast.xml' });
    expect(services['icecast-config']!.command).toEqual(['relaycast', 'icecast-config']);
    expect(services['icecast-config']!.environment).toMatchObject({ ICECAST_BASE_CONFIG_PATH: '/config/icecast-base.xml', ICECAST_CONFIG_PATH: '/config/icecast.xml' });
    expect(services['icecast-config']!.environment!.ICECAST_EDGE_MASTER).toBeUndefined();
    expect(services['icecast-config']!.depends_on).toMatchObject({ setup: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    expect(services.icecast!.command).toEqual(['icecast-run', '/config/icecast.xml']);
    expect(services.icecast!.profiles).toBeUndefined();

    for (const name of ['icecast-edge', 'icecast-edge-config']) expect(services[name]!.profiles, name).toEqual(['edge']);
    const edgeConfig = services['icecast-edge-config']!.environment!;
    expect(edgeConfig).toMatchObject({ ICECAST_BASE_CONFIG_PATH: '/config/icecast-base.xml', ICECAST_EDGE_MASTER: 'icecast:8000' });
    expect(edgeConfig.ICECAST_CONFIG_PATH).not.toBe('/config/icecast.xml');
    expect(services['icecast-edge']!.command).toEqual(['icecast-run', edgeConfig.ICECAST_CONFIG_PATH]);
    expect(JSON.stringify(services['icecast-edge']!.ports)).toContain('8001');
  });

  it('docker-compose.yml validates with .env.example as .env, and every setting of .env.example reaches a service', async () => {
    const example = await readFile(join(ROOT, '.env.example'), 'utf8');
    const names = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(10);
    // Every line changed to a recognisable value: each must show up in what Compose resolves.
    const dir = join(temp.dir, 'with-env');
    spawnSync('mkdir', ['-p', dir]);
    await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
    await copyFile(join(ROOT, 'docker-compose.relay.yml'), join(dir, 'docker-compose.relay.yml'));
    const marked = (name: string) =>
      /PORT$/.test(name) ? String(18_000 + names.indexOf(name)) : name === 'DEMO_SONGS' ? '0' : name === 'QQ_ENABLED' ? '1' : `marker-${name.toLowerCase()}-0123456789`;
    await writeFile(join(dir, '.env'), names.map((name) => `${name}=${marked(name)}`).join('\n') + '\n');

    const main = composeConfig(dir, 'docker-compose.yml');
    const relay = composeConfig(dir, 'docker-compose.relay.yml');
    expect([main.status, main.stderr]).toEqual([0, '']);
    expect([relay.status, relay.stderr]).toEqual([0, '']);
    // Flags have no unique value to look for: look for the variable set to it.
    const shows = (text: string, name: string) =>
      ['DEMO_SONGS', 'QQ_ENABLED'].includes(name) ? new RegExp(`^\\s+${name}: '?${marked(name)}'?$`, 'm').test(text) : text.includes(marked(name));
    for (const name of names) {
      const found = [main.stdout, relay.stdout].some((text) => shows(text, name));
      expect(found, `${name} from .env.example is used by no service`).toBe(true);
    }
  });

  it('docker-compose.relay.yml validates with a RELAY_TOKEN and refuses to run the relay without one', () => {
    const withToken = composeConfig(temp.dir, 'docker-compose.relay.yml', { RELAY_TOKEN: 'a-token-of-24-characters' });
    expect([withToken.status, withToken.stderr]).toEqual([0, '']);
    const services = (parse(withToken.stdout) as { services: Record<string, ComposeService> }).services;
    expect(Object.keys(services)).toEqual(['relay']);
    expect(services.relay!.command).toEqual(['relaycast', 'relay']);

    const without = composeConfig(temp.dir, 'docker-compose.relay.yml');
    expect(without.status).not.toBe(0);
    expect(without.stderr).toContain('set RELAY_TOKEN in .env');
  });

  it('the relay alone runs the same command with the same settings as the bundled relay', () => {
    const main = (parse(composeConfig(temp.dir, 'docker-compose.yml').stdout) as { services: Record<string, ComposeService> }).services.relay!;
    const alone = (parse(composeConfig(temp.dir, 'docker-compose.relay.yml', { RELAY_TOKEN: 'a-token-of-24-characters' }).stdout) as {
      services: Record<string, ComposeService>;
    }).services.relay!;
    expect(alone.command).toEqual(main.command);
    // The token comes straight from .env there, from the shared secrets volume here.
    const names = (service: ComposeService) => Object.keys(service.environment ?? {}).map((name) => name.replace(/_FILE$/, '')).sort();
    expect(names(alone)).toEqual(names(main));
  });

  it('every environment variable a service sets is one its command reads (a typo would do nothing, silently)', () => {
    const { services } = parse(composeConfig(temp.dir, 'docker-compose.yml').stdout) as { services: Record<string, ComposeService> };
    const readBy: Record<string, Set<string>> = {
      'relaycast setup': withFileForms(SETUP_ENV_SETTINGS.map((setting) => setting.name)),
      'relaycast relay': withFileForms([...RELAY_ENV_SETTINGS.map((setting) => setting.name), 'LOG_LEVEL']),
      'relaycast start': withFileForms(ENV_SETTINGS.map((setting) => setting.name)),
      'relaycast icecast-config': new Set(ICECAST_CONFIG_ENV_SETTINGS.map((setting) => setting.name)),
      'relaycast web': new Set(WEB_ENV_SETTINGS.map((setting) => setting.name)),
    };
    for (const [name, service] of Object.entries(services)) {
      const known = readBy[(service.command ?? []).join(' ')];
      if (!known) continue; // redis and icecast take no environment; Prometheus and Grafana are not relaycast's
      for (const variable of Object.keys(service.environment ?? {})) expect(known.has(variable), `${name}: ${variable} is read by nothing`).toBe(true);
    }
  });

  it('no secret has a default value in any compose file: unset means generated, never a fixed password', async () => {
    for (const file of COMPOSE_FILES) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const { name } of SECRETS) {
        for (const match of text.matchAll(new RegExp(`\\$\\{${name}(:?[-?])?([^}]*)\\}`, 'g'))) {
          const [, operator, rest] = match;
          // ${NAME:-} (empty: generated) and ${NAME:?message} (required) are fine; ${NAME:-something} is not.
          expect(operator === ':-' || operator === '-' ? rest : '', `${file}: ${match[0]}`).toBe('');
        }
      }
      expect(text).not.toMatch(/(PASSWORD|TOKEN):\s+(?!\$\{)[^\s#]/);
    }
  });

  it("the Dockerfile's icecast image holds Debian's icecast2 and icecast-run only: an app upgrade does not rebuild or restart Icecast", async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const stage = /^FROM \S+ AS icecast$([\s\S]*?)^FROM /m.exec(dockerfile)?.[1] ?? '';
    expect(stage).toContain('icecast2');
    expect([...stage.matchAll(/^COPY (.+)$/gm)].map((match) => match[1])).toEqual(['deploy/icecast/icecast-run /usr/local/bin/icecast-run']);
    expect(stage).toMatch(/^CMD \["icecast-run", "\/config\/icecast\.xml"\]$/m);
  });

  it('the Dockerfile copies only what .dockerignore lets into the build context', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const allowed = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.trim().split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    for (const source of copied) expect(allowed, `COPY ${source}`).toContain(source.replace(/\/$/, ''));
  });
});
