import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { makeTempDir } from '../support/tmp.js';
import { spawnWorker } from '../support/worker-process.js';

/** `relaycast relay` as an operator runs it (the built CLI). */
describe('relaycast relay (the command)', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  const token = 'relay-cli-token-0123456789';

  beforeAll(async () => {
    temp = await makeTempDir('relay-cli');
  });
  afterAll(() => temp?.remove());

  it('logs "relay listening" once, as one structured event with its URL and providers', async () => {
    const port = await freePort();
    const relay = spawnWorker(['relay'], { RELAY_TOKEN: token, RELAY_PORT: String(port), MUSIC_DIR: temp.dir, LOG_LEVEL: 'info' });
    try {
      await relay.waitForEvent((event) => event.msg === 'relay listening', 10_000);
      // A request it has answered: start-up is over, and anything it logs at start-up has been logged.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await relay.waitForEvent((event) => event.event === 'relay.request' && event.route === 'healthz', 10_000);
    } finally {
      await relay.stop();
    }
    const listening = relay.events.filter((event) => event.msg === 'relay listening');
    expect(listening).toEqual([expect.objectContaining({ event: 'relay.listening', url: `http://127.0.0.1:${port}`, providers: ['local'] })]);
  });

  it('refuses a RELAY_TRUST_PROXY it cannot use at start-up: one line naming it, non-zero exit', async () => {
    const result = await runCli(['relay'], { env: { RELAY_TOKEN: token, RELAY_PORT: '0', RELAY_TRUST_PROXY: 'yes' }, timeoutMs: 10_000 });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('RELAY_TRUST_PROXY');
  });
});
