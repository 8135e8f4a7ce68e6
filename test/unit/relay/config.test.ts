import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseRelayConfig } from '../../../src/relay/config.js';

const token = 'relay-token-0123456789';

describe('relay config', () => {
  it('fills every default from an almost empty config', () => {
    const config = parseRelayConfig({ token, qq: {} });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8780 });
    expect(config.timeouts.lookupMs).toBe(4000);
    expect(config.maxUpstreamBodyBytes).toBe(2 * 1024 * 1024);
    expect(config.rateLimit).toEqual({ perSecond: 5, burst: 30, maxClients: 10_000 });
    expect(config.qq).toMatchObject({ api: 'musicu', quality: 'C400', attempts: 3, musicuUrl: 'https://u.y.qq.com/cgi-bin/musicu.fcg' });
    expect(config.netease).toBeUndefined();
    expect(config.local).toBeUndefined();
    expect(config.trustProxy).toBeUndefined();
  });

  it.each([
    [{ token, bogus: 1 }, 'config: (relay config): Unrecognized key: "bogus"'],
    [{ token: 'short' }, 'config: token: use at least 16 characters'],
    [{ token, local: { musicDir: '/music' } }, 'config: publicBaseUrl: needed to give out URLs of local files'],
    [{ token, qq: { api: 'qqmusicapi' } }, 'config: qq.qqMusicApiUrl: needed when api is qqmusicapi'],
    [{ token, netease: { baseUrl: 'ftp://relay.example/' } }, 'config: netease.baseUrl: expected an http:// or https:// URL'],
    [{ token, listen: { port: 70000 } }, 'config: listen.port'],
    [{ token, trustProxy: 0 }, 'config: trustProxy: expected a number of proxy hops (1-10) or a list of proxy addresses'],
    [{ token, trustProxy: ['10.0.0.2', 'proxy.example'] }, 'config: trustProxy.1: expected a number of proxy hops'],
  ])('rejects %j with a message naming the key', (input, message) => {
    expect(() => parseRelayConfig(input)).toThrow(ConfigError);
    expect(() => parseRelayConfig(input)).toThrow(message);
  });

  it('accepts loopback and bare-IP upstream URLs (zod httpUrl would not)', () => {
    const config = parseRelayConfig({ token, netease: { baseUrl: 'http://127.0.0.1:3000/' }, qq: { fallbackSip: 'http://[::1]:8/' } });
    expect(config.netease?.baseUrl).toBe('http://127.0.0.1:3000/');
  });
});
