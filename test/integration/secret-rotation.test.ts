import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, onTestFailed } from 'vitest';
import { killSource } from '../../src/icecast/kill-source.js';
import { resolveTarget } from '../../src/icecast/target.js';
import { DEFAULT_STREAM_FORMAT } from '../../src/audio/format.js';
import { createLogger } from '../../src/log/index.js';
import { createRelayClient } from '../../src/relay-client/index.js';
import { createRelayServer, noTags } from '../../src/relay/index.js';
import { captureLog } from '../support/icecast.js';
import { changeSourcePassword } from '../support/icecast-reload.js';
import { useIcecastSuite } from '../support/icecast-suite.js';
import { startWorker, type LogEvent, type WorkerProcess } from '../support/worker-process.js';

const suite = useIcecastSuite('secret-rotation');

/** SecretFile looks at a file at most once a second: past this, a rewrite is seen at the next connect. */
const SECRET_CHECK_MS = 1_000;
/** Icecast's slow retry after a 401 is 15 s: back on air well before it means no wait for it. */
const BACK_ON_AIR_MS = 5_000;

/** Icecast's source password now: each test that changes it leaves the new one for the next. */
let sourcePassword: string | undefined;

async function rotateSourcePassword(secretPath: string): Promise<string> {
  const password = randomBytes(12).toString('hex');
  await changeSourcePassword(suite.servers.icecast, password);
  await writeFile(secretPath, `${password}\n`);
  sourcePassword = password;
  return password;
}

const isRefusal = (event: LogEvent) => event.status === 401;
const isStreamingAgain = (event: LogEvent) => event.msg === 'streaming to Icecast again';

async function startRotatingWorker(mount: string): Promise<{ worker: WorkerProcess; secretPath: string }> {
  const icecast = suite.servers.icecast;
  const secretPath = join(suite.dir, `source-password-${mount.replace(/\W/g, '')}`);
  await writeFile(secretPath, `${sourcePassword ?? icecast.sourcePassword}\n`);
  const worker = await startWorker(
    { icecast: { url: icecast.url }, stations: [{ name: 'rotation', mount, songs: [join(suite.dir, 'tone-440hz-5s-128k.mp3')] }] },
    { ICECAST_SOURCE_PASSWORD_FILE: secretPath, ICECAST_ADMIN_USER: 'admin', ICECAST_ADMIN_PASSWORD: icecast.adminPassword, LOG_LEVEL: 'debug' },
  );
  suite.cleanups.push(() => worker.stop());
  onTestFailed(async () => {
    console.error(`worker log:\n${worker.events.map((event) => JSON.stringify(event)).join('\n')}\n${worker.stderr()}`);
    console.error(`icecast error.log:\n${(await icecast.errorLog()).slice(-3000)}`);
  });
  await worker.waitForEvent((event) => event.msg === 'streaming to Icecast', 15_000);
  await icecast.waitForMount(mount, 5_000);
  return { worker, secretPath };
}

/** Drops the worker's source connection the way an admin (or a network fault) would. */
async function dropSource(mount: string): Promise<void> {
  const icecast = suite.servers.icecast;
  const admin = resolveTarget({ url: icecast.url, mount, password: 'unused', adminUser: 'admin', adminPassword: icecast.adminPassword, ice: {}, format: DEFAULT_STREAM_FORMAT });
  await killSource(admin, 5_000);
}

describe('a source password changed in its file and on Icecast reaches the running worker', () => {
  it('after Icecast reloads a new source password and the file is rewritten, a dropped source reconnects with the new one: no 401', async () => {
    const mount = '/rotation-settled.mp3';
    const { worker, secretPath } = await startRotatingWorker(mount);
    const password = await rotateSourcePassword(secretPath);
    await delay(SECRET_CHECK_MS + 200);

    const droppedAt = performance.now();
    await dropSource(mount);
    await worker.waitForEvent(isStreamingAgain, BACK_ON_AIR_MS);
    expect(performance.now() - droppedAt).toBeLessThan(BACK_ON_AIR_MS);
    await suite.servers.icecast.waitForMount(mount, 2_000);
    expect(worker.events.filter(isRefusal)).toEqual([]);
    expect(worker.events.some((event) => event.msg === 'the secret file changed: using its new value from now on' && event.setting === 'ICECAST_SOURCE_PASSWORD')).toBe(true);
    expect(JSON.stringify(worker.events)).not.toContain(password);
  });

  it('a source dropped right as the password changes is back on air within seconds, not after the 15 s a wrong password waits', async () => {
    const mount = '/rotation-at-once.mp3';
    const { worker, secretPath } = await startRotatingWorker(mount);
    await rotateSourcePassword(secretPath);

    // Icecast applies SIGHUP on its own thread a moment later: the worker may read the new password before
    // Icecast takes it, or the old one after; either way it retries on the fast backoff, not the slow one.
    await dropSource(mount);
    await worker.waitForEvent(isStreamingAgain, BACK_ON_AIR_MS);
    await suite.servers.icecast.waitForMount(mount, 2_000);
    expect(worker.events.filter(isRefusal).length).toBeLessThan(5);
  });

  it('a secret file that goes empty keeps the last good password: the worker warns once and stays on air', async () => {
    const mount = '/rotation-empty.mp3';
    const { worker, secretPath } = await startRotatingWorker(mount);
    await writeFile(secretPath, '');
    await delay(SECRET_CHECK_MS + 200);
    await dropSource(mount);
    await worker.waitForEvent(isStreamingAgain, BACK_ON_AIR_MS);
    await dropSource(mount);
    await delay(SECRET_CHECK_MS + 200);
    await suite.servers.icecast.waitForMount(mount, BACK_ON_AIR_MS);
    expect(worker.events.filter((event) => event.level === 'warn' && event.setting === 'ICECAST_SOURCE_PASSWORD')).toHaveLength(1);
    expect(worker.events.filter(isRefusal)).toEqual([]);
    expect(worker.child.exitCode).toBeNull();
  });
});

describe('a relay token changed in RELAY_TOKEN_FILE', () => {
  const GRACE_SEC = 2;

  it('the relay accepts the new token at once and the old one only for the grace period; a client reading the file keeps resolving songs', async () => {
    const musicDir = join(suite.dir, 'music');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(musicDir, { recursive: true });
    await copyFile(join(suite.dir, 'tone-440hz-5s-128k.mp3'), join(musicDir, 'tone.mp3'));
    const oldToken = randomBytes(16).toString('hex');
    const newToken = randomBytes(16).toString('hex');
    const relayTokenFile = join(suite.dir, 'relay-token-relay');
    const workerTokenFile = join(suite.dir, 'relay-token-worker');
    await writeFile(relayTokenFile, oldToken);
    await writeFile(workerTokenFile, oldToken);
    const relayLog = captureLog();
    const relay = createRelayServer({
      config: { token: oldToken, tokenFile: relayTokenFile, tokenGraceSec: GRACE_SEC, local: { musicDir }, publicBaseUrl: 'http://127.0.0.1:9/' },
      logger: createLogger({ destination: relayLog }),
      tagReader: noTags,
    });
    await relay.listen(0, '127.0.0.1');
    suite.cleanups.push(() => relay.close());
    const client = createRelayClient({ baseUrl: relay.url, token: oldToken, tokenFile: workerTokenFile, logger: createLogger({ destination: captureLog() }) });
    const oldClient = createRelayClient({ baseUrl: relay.url, token: oldToken });
    const newClient = createRelayClient({ baseUrl: relay.url, token: newToken });
    suite.cleanups.push(() => [client, oldClient, newClient].forEach((each) => each.close()));
    const status = async (token: string) => (await fetch(`${relay.url}/v1/songs/local:tone.mp3`, { headers: { authorization: `Bearer ${token}` } })).status;

    expect((await client.resolveSong('local:tone.mp3')).ok).toBe(true);
    expect(await status(newToken)).toBe(401);

    // The relay's copy of the file changes first (setup writes both; the relay looks within a second).
    await writeFile(relayTokenFile, newToken);
    await delay(SECRET_CHECK_MS + 100);
    expect(await status(newToken)).toBe(200);
    const rotatedAt = performance.now();
    expect(await status(oldToken)).toBe(200);
    expect((await oldClient.resolveSong('local:tone.mp3')).ok).toBe(true);

    // Now the worker's copy: the client sends what its file holds.
    await writeFile(workerTokenFile, newToken);
    await delay(Math.max(0, GRACE_SEC * 1000 - (performance.now() - rotatedAt)) + 300);
    expect(await status(oldToken)).toBe(401);
    expect(await status(newToken)).toBe(200);
    expect((await client.resolveSong('local:tone.mp3')).ok).toBe(true);
    expect(relayLog.raw.join('')).not.toContain(newToken);
  });

  it('a client refused with the token it last read re-reads its file once and asks again with the new token', async () => {
    const musicDir = join(suite.dir, 'music-refused');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(musicDir, { recursive: true });
    await copyFile(join(suite.dir, 'tone-440hz-5s-128k.mp3'), join(musicDir, 'tone.mp3'));
    const oldToken = randomBytes(16).toString('hex');
    const newToken = randomBytes(16).toString('hex');
    const tokenFile = join(suite.dir, 'relay-token-shared');
    await writeFile(tokenFile, oldToken);
    const relayLog = captureLog();
    // No grace: the old token is refused as soon as the relay sees the new one.
    const relay = createRelayServer({
      config: { token: oldToken, tokenFile, tokenGraceSec: 0, local: { musicDir }, publicBaseUrl: 'http://127.0.0.1:9/' },
      logger: createLogger({ destination: relayLog }),
      tagReader: noTags,
    });
    await relay.listen(0, '127.0.0.1');
    suite.cleanups.push(() => relay.close());
    const client = createRelayClient({ baseUrl: relay.url, token: oldToken, tokenFile, logger: createLogger({ destination: captureLog() }) });
    suite.cleanups.push(() => client.close());
    const status = async (token: string) => (await fetch(`${relay.url}/v1/songs/local:tone.mp3`, { headers: { authorization: `Bearer ${token}` } })).status;

    // The relay looks at the file now, the client 600 ms later: after the rewrite the relay looks again first.
    expect(await status(oldToken)).toBe(200);
    await delay(600);
    expect((await client.resolveSong('local:tone.mp3')).ok).toBe(true);
    await writeFile(tokenFile, newToken);
    await delay(SECRET_CHECK_MS - 600 + 150);
    expect(await status(newToken)).toBe(200);
    const refusalsBefore = refusals(relayLog).length;

    // The client's last look is under a second old, so it sends the old token, is refused, reads the file, asks again.
    expect((await client.resolveSong('local:tone.mp3')).ok).toBe(true);
    expect(refusals(relayLog).length).toBe(refusalsBefore + 1);
  });
});

function refusals(log: ReturnType<typeof captureLog>) {
  return log.lines.filter((line) => line.event === 'relay.request' && line.status === 401);
}
