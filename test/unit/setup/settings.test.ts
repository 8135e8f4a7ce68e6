import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { BUNDLED_ICECAST_TEMPLATE, readSetupSettings } from '../../../src/setup/index.js';
import { makeTempDir } from '../../support/tmp.js';

describe('readSetupSettings', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('setup-settings');
  });
  afterEach(() => temp.remove());

  it("defaults to the container's paths and the template shipped with relaycast", async () => {
    const settings = await readSetupSettings({});
    expect(settings).toMatchObject({
      secretsDir: '/secrets',
      givenSecrets: {},
      icecastTemplate: BUNDLED_ICECAST_TEMPLATE,
      icecastConfigPath: '/config/icecast.xml',
      musicDir: '/music',
      demoSongs: true,
      redisUrl: undefined,
      logLevel: 'info',
    });
    expect(settings.icecastValues).toEqual({
      ICECAST_HOSTNAME: 'localhost',
      ICECAST_BIND_ADDRESS: '0.0.0.0',
      ICECAST_PORT: '8000',
      ICECAST_LOG_DIR: '/var/log/icecast2',
      ICECAST_ACCESS_LOG: '-',
      ICECAST_ERROR_LOG: '-',
      ICECAST_WEBROOT: '/usr/share/icecast2/web',
      ICECAST_ADMINROOT: '/usr/share/icecast2/admin',
    });
    expect(BUNDLED_ICECAST_TEMPLATE).toMatch(/\/icecast\.xml$/);
  });

  it('treats an empty value as unset, as docker compose passes ${NAME:-}', async () => {
    const settings = await readSetupSettings({ ICECAST_SOURCE_PASSWORD: '', RELAY_TOKEN: '', ICECAST_PORT: '', REDIS_URL: '' });
    expect(settings.givenSecrets).toEqual({});
    expect(settings.icecastValues.ICECAST_PORT).toBe('8000');
    expect(settings.redisUrl).toBeUndefined();
  });

  it('reads a secret from NAME_FILE, and ignores *_FILE variables it has no business with', async () => {
    const file = join(temp.dir, 'admin');
    await writeFile(file, 'from-a-docker-secret\n');
    const settings = await readSetupSettings({ ICECAST_ADMIN_PASSWORD_FILE: file, TF_CLI_CONFIG_FILE: join(temp.dir, 'missing') });
    expect(settings.givenSecrets).toEqual({ ICECAST_ADMIN_PASSWORD: 'from-a-docker-secret' });
  });

  it.each([
    [{ ICECAST_PORT: '80000' }, 'ICECAST_PORT: must be a port number 1-65535'],
    [{ ICECAST_PORT: 'http' }, 'ICECAST_PORT: must be a port number 1-65535'],
    [{ DEMO_SONGS: 'yes' }, 'DEMO_SONGS: must be 1'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL: must be a redis:// URL'],
    [{ ICECAST_SOURCE_PASSWORD: 'two\nlines' }, 'ICECAST_SOURCE_PASSWORD: contains control characters'],
    [{ RELAY_TOKEN: ' padded-token-0123456789 ' }, 'RELAY_TOKEN: has leading or trailing spaces'],
  ])('refuses %j with a message naming the variable', async (env, message) => {
    await expect(readSetupSettings(env)).rejects.toThrow(ConfigError);
    await expect(readSetupSettings(env)).rejects.toThrow(message);
  });
});
