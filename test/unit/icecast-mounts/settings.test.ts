import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { readIcecastConfigSettings } from '../../../src/icecast-mounts/index.js';

describe('relaycast icecast-config settings', () => {
  it("default to the compose volume's files and a master's config", () => {
    expect(readIcecastConfigSettings({ REDIS_URL: 'redis://redis:6379' })).toEqual({
      basePath: '/config/icecast-base.xml',
      outputPath: '/config/icecast.xml',
      redisUrl: 'redis://redis:6379',
      edge: undefined,
      logLevel: 'info',
    });
  });

  it('render an edge when ICECAST_EDGE_MASTER names the master', () => {
    const settings = readIcecastConfigSettings({ REDIS_URL: 'redis://r:1', ICECAST_EDGE_MASTER: 'icecast:8000', ICECAST_CONFIG_PATH: '/config/icecast-edge.xml' });
    expect(settings.edge).toEqual({ host: 'icecast', port: 8000 });
    expect(settings.outputPath).toBe('/config/icecast-edge.xml');
    // The base defaults to the one beside the config, where setup writes it: the master's and the edge's share it.
    expect(settings.basePath).toBe('/config/icecast-base.xml');
  });

  it('refuse a bad setting with one line naming it', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'config: REDIS_URL: is required'],
      [{ REDIS_URL: 'http://x' }, 'config: REDIS_URL: must be a redis:// URL'],
      [{ REDIS_URL: 'redis://r:1', LOG_LEVEL: 'loud' }, 'config: LOG_LEVEL: must be'],
      [{ REDIS_URL: 'redis://r:1', ICECAST_EDGE_MASTER: 'http://icecast:8000/' }, 'config: ICECAST_EDGE_MASTER: must be host:port'],
      [{ REDIS_URL: 'redis://r:1', ICECAST_CONFIG_PATH: '/config/icecast-base.xml' }, 'config: ICECAST_CONFIG_PATH: must differ'],
    ];
    for (const [env, message] of cases) {
      let thrown: unknown;
      try {
        readIcecastConfigSettings(env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, message).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message.startsWith(message), (thrown as Error).message).toBe(true);
      expect((thrown as Error).message).not.toContain('\n');
    }
  });
});
