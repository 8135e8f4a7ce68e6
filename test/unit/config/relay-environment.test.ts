import { describe, expect, it } from 'vitest';
import { loadRelaySettings } from '../../../src/config/relay-environment.js';
import { ConfigError } from '../../../src/errors.js';

const RELAY_TOKEN = 'relay-token-0123456789';

describe('relay environment: RELAY_TRUST_PROXY', () => {
  it('is off unless set', async () => {
    expect((await loadRelaySettings({ RELAY_TOKEN })).config.trustProxy).toBeUndefined();
  });

  it.each([
    ['1', 1],
    [' 2 ', 2],
    ['10.0.0.2', ['10.0.0.2']],
    ['10.0.0.2, 10.1.0.0/16,::1', ['10.0.0.2', '10.1.0.0/16', '::1']],
  ])('reads %j as %j', async (value, expected) => {
    expect((await loadRelaySettings({ RELAY_TOKEN, RELAY_TRUST_PROXY: value })).config.trustProxy).toEqual(expected);
  });

  it.each(['yes', '0', '11', '10.0.0.2,proxy.example', '10.0.0.0/40', '1.5'])('refuses %j at start-up, naming the variable', async (value) => {
    const error = await loadRelaySettings({ RELAY_TOKEN, RELAY_TRUST_PROXY: value }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^config: RELAY_TRUST_PROXY: .* is neither a number of proxy hops \(1-10\) nor a comma-separated list/);
  });
});

describe('loadRelaySettings: METRICS_PORT', () => {
  const RELAY_TOKEN = 'a-relay-token-of-some-length';

  it('is off unless set, and a port on the relay\'s own host when set', async () => {
    expect((await loadRelaySettings({ RELAY_TOKEN })).config.metrics).toBeUndefined();
    const { config } = await loadRelaySettings({ RELAY_TOKEN, METRICS_PORT: '9464', RELAY_HOST: '0.0.0.0' });
    expect(config.metrics).toEqual({ port: 9464 });
    expect(config.listen.host).toBe('0.0.0.0');
  });

  it('refuses a value that is no port, naming the variable', async () => {
    const error = await loadRelaySettings({ RELAY_TOKEN, METRICS_PORT: '0' }).catch((caught: unknown) => caught);
    expect((error as ConfigError).message).toBe('config: METRICS_PORT: must be a port number 1-65535');
  });
});
