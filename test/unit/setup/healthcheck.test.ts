import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth, detectRole, mountsOfStatusJson, roleOfCommandLine } from '../../../src/setup/index.js';
import { freePort } from '../../support/ports.js';
import { makeTempDir } from '../../support/tmp.js';

/** A scripted HTTP server on loopback: `answer` maps a path (and the request) to status and body. */
async function serve(answer: (path: string, authorization: string | undefined) => [number, string]): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const [status, body] = answer(request.url ?? '/', request.headers.authorization);
    response.writeHead(status).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('the image healthcheck', () => {
  const servers: Server[] = [];
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('healthcheck');
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    await temp.remove();
  });

  it.each([
    [['node', '/app/dist/src/cli/main.js', 'relay'], 'relay'],
    [['/sbin/docker-init', '--', 'relaycast', 'start'], 'station'],
    [['node', '/usr/local/bin/relaycast', 'start', '--config', 'x.json'], 'station'],
    [['/sbin/docker-init', '--', 'relaycast', 'web'], 'web'],
    [['node', '/usr/local/bin/relaycast', 'setup'], undefined],
    [['redis-server', '--appendonly', 'yes'], undefined],
  ])('tells the role of the command line %j', (argv, role) => {
    expect(roleOfCommandLine(argv)).toBe(role);
  });

  it("finds the role of the container's relaycast process in /proc", async () => {
    const proc = join(temp.dir, 'proc');
    for (const [pid, argv] of [['1', ['/sbin/docker-init', '--', 'relaycast', 'relay']], ['7', ['node', '/usr/local/bin/relaycast', 'relay']], ['self', []]] as const) {
      await mkdir(join(proc, pid), { recursive: true });
      await writeFile(join(proc, pid, 'cmdline'), `${argv.join('\0')}\0`);
    }
    expect(await detectRole(proc)).toBe('relay');
    expect(await detectRole(join(temp.dir, 'no-proc'))).toBeUndefined();
  });

  it('reads the mounts of /status-json.xsl whether source is one object, an array or absent', () => {
    expect([...mountsOfStatusJson('{"icestats":{"source":{"listenurl":"http://localhost:8000/radio.mp3"}}}')]).toEqual(['/radio.mp3']);
    expect([...mountsOfStatusJson('{"icestats":{"source":[{"listenurl":"http://h:8000/a.mp3"},{"listenurl":"http://h:8000/b.mp3"}]}}')]).toEqual(['/a.mp3', '/b.mp3']);
    expect([...mountsOfStatusJson('{"icestats":{}}')]).toEqual([]);
  });

  it('relay: healthy when GET /healthz answers 200 on the port it listens on; unhealthy when nothing answers', async () => {
    const { server, port } = await serve((path) => (path === '/healthz' ? [200, '{"ok":true}'] : [404, '']));
    servers.push(server);
    const env = { RELAY_TOKEN: 'a-relay-token-0123456789', RELAY_HOST: '0.0.0.0', RELAY_PORT: String(port) };
    expect(await checkHealth('relay', env)).toMatchObject({ healthy: true });
    const result = await checkHealth('relay', { ...env, RELAY_PORT: String(await freePort()) });
    expect(result.healthy).toBe(false);
  });

  it('web: healthy when GET /api/stations answers 200; unhealthy when it answers an error or nothing answers', async () => {
    let status = 200;
    const { server, port } = await serve((path) => (path === '/api/stations' ? [status, '[]'] : [404, '']));
    servers.push(server);
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', WEB_HOST: '0.0.0.0', WEB_PORT: String(port) };
    expect(await checkHealth('web', env)).toEqual({ healthy: true, detail: `web answers at http://127.0.0.1:${port}/api/stations` });
    status = 503;
    expect(await checkHealth('web', env)).toEqual({ healthy: false, detail: `web answered 503 at http://127.0.0.1:${port}/api/stations` });
    expect((await checkHealth('web', { ...env, WEB_PORT: String(await freePort()) })).healthy).toBe(false);
  });

  it('station: healthy when every station mount is on air, asked with the admin password so hidden mounts count', async () => {
    let mounts = ['/fallback.mp3'];
    const { server, port } = await serve((path, authorization) => {
      if (path !== '/admin/listmounts') return [404, ''];
      if (authorization !== `Basic ${Buffer.from('admin:admin-secret').toString('base64')}`) return [401, ''];
      return [200, `<icestats>${mounts.map((mount) => `<source mount="${mount}"><listeners>0</listeners></source>`).join('')}</icestats>`];
    });
    servers.push(server);
    const env = {
      ICECAST_URL: `http://127.0.0.1:${port}`,
      ICECAST_SOURCE_PASSWORD: 'source-secret',
      ICECAST_ADMIN_USER: 'admin',
      ICECAST_ADMIN_PASSWORD: 'admin-secret',
      STATION_NAME: 'fallback',
      STATION_MOUNT: '/fallback.mp3',
    };
    expect(await checkHealth('station', env)).toEqual({ healthy: true, detail: 'on air: /fallback.mp3' });
    mounts = [];
    expect(await checkHealth('station', env)).toEqual({ healthy: false, detail: `not on air at http://127.0.0.1:${port}: /fallback.mp3` });
    expect((await checkHealth('station', { ...env, ICECAST_ADMIN_PASSWORD: 'wrong' })).healthy).toBe(false);
  });

  it('has nothing to check in a container that runs no relay and no stations (setup)', async () => {
    expect(await checkHealth(undefined, {})).toMatchObject({ healthy: true });
  });
});
