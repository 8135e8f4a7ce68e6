import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { readWebSettings } from '../../../src/web/index.js';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('relaycast web settings', () => {
  it('defaults to loopback port 8090 and a local Icecast', () => {
    expect(readWebSettings(REDIS)).toEqual({
      host: '127.0.0.1',
      port: 8090,
      redisUrl: 'redis://127.0.0.1:6379',
      icecastPublicUrl: 'http://localhost:8000/',
      icecastUrl: 'http://127.0.0.1:8000/',
      logLevel: 'info',
    });
  });

  it('keeps a path of the public Icecast URL, as a base for the mounts', () => {
    expect(readWebSettings({ ...REDIS, ICECAST_PUBLIC_URL: 'https://radio.example.com/icecast' }).icecastPublicUrl).toBe('https://radio.example.com/icecast/');
  });

  it.each([
    [{}, 'REDIS_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ ...REDIS, WEB_PORT: '80a' }, 'WEB_PORT'],
    [{ ...REDIS, WEB_PORT: '70000' }, 'WEB_PORT'],
    [{ ...REDIS, ICECAST_PUBLIC_URL: 'ftp://x' }, 'ICECAST_PUBLIC_URL'],
    [{ ...REDIS, ICECAST_PUBLIC_URL: 'http://user:secret@x/' }, 'ICECAST_PUBLIC_URL'],
    [{ ...REDIS, ICECAST_URL: 'not a url' }, 'ICECAST_URL'],
    [{ ...REDIS, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %j naming %s', (env, key) => {
    expect(() => readWebSettings(env)).toThrow(ConfigError);
    expect(() => readWebSettings(env)).toThrow(expect.objectContaining({ key }));
  });

  it('never repeats a password of the public URL in its message', () => {
    expect(() => readWebSettings({ ...REDIS, ICECAST_PUBLIC_URL: 'http://user:secret@x/' })).toThrow(expect.not.objectContaining({ message: expect.stringContaining('secret') }));
  });
});
