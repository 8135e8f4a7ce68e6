import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../../src/audio/format.js';
import { ConfigError } from '../../../src/errors.js';
import type { IcecastTarget } from '../../../src/icecast/index.js';
import { metadataPath } from '../../../src/icecast/metadata.js';
import { sourceRequestHeaders } from '../../../src/icecast/source-headers.js';
import { resolveTarget } from '../../../src/icecast/target.js';

const TARGET: IcecastTarget = {
  url: 'http://127.0.0.1:8000',
  mount: '/radio.mp3',
  password: 'hunter2-secret',
  ice: { name: '晴天 Radio', description: 'songs', genre: 'Pop', url: 'https://example.org', public: true },
  format: DEFAULT_STREAM_FORMAT,
};

function configErrorKey(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.key;
    throw error;
  }
  return undefined;
}

describe('resolveTarget', () => {
  it('fills in the defaults: user "source", titles with the source credentials, no charset parameter', () => {
    const resolved = resolveTarget(TARGET);
    expect(resolved).toMatchObject({ username: 'source', metadataUser: 'source', metadataPassword: 'hunter2-secret', metadataCharset: 'omit' });
    expect(resolved.url.host).toBe('127.0.0.1:8000');
  });

  it('uses the admin credentials for titles when given', () => {
    const resolved = resolveTarget({ ...TARGET, adminUser: 'admin', adminPassword: 'adm' });
    expect(resolved).toMatchObject({ metadataUser: 'admin', metadataPassword: 'adm' });
  });

  it('rejects what would only fail later, naming the setting and never echoing the password', () => {
    expect(configErrorKey(() => resolveTarget({ ...TARGET, url: 'icecast:8000' }))).toBe('icecast.url');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, url: 'https://127.0.0.1:8000' }))).toBe('icecast.url');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, url: 'http://source:pw@127.0.0.1:8000' }))).toBe('icecast.url');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, url: 'http://127.0.0.1:8000/radio.mp3' }))).toBe('icecast.url');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, mount: 'radio.mp3' }))).toBe('icecast.mount');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, mount: '/a b.mp3' }))).toBe('icecast.mount');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, password: '' }))).toBe('icecast.password');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, adminUser: 'admin' }))).toBe('icecast.adminPassword');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, format: { ...DEFAULT_STREAM_FORMAT, bitrateKbps: 127 } }))).toBe('icecast.format');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, passwrd: 'x' } as IcecastTarget))).toBe('icecast.passwrd');
    expect(configErrorKey(() => resolveTarget({ ...TARGET, ice: { nam: 'x' } } as unknown as IcecastTarget))).toBe('icecast.ice.nam');
    try {
      resolveTarget({ ...TARGET, mount: 'bad' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('sourceRequestHeaders', () => {
  it('sends Basic auth, audio/mpeg, Host and the ice-* headers from the format', () => {
    const headers = sourceRequestHeaders(resolveTarget(TARGET));
    expect(headers).toMatchObject({
      Host: '127.0.0.1:8000',
      Authorization: `Basic ${Buffer.from('source:hunter2-secret').toString('base64')}`,
      'Content-Type': 'audio/mpeg',
      'ice-bitrate': '128',
      'ice-audio-info': 'samplerate=44100;channels=2;bitrate=128',
      'ice-public': '1',
      'ice-genre': 'Pop',
    });
    expect(headers).not.toHaveProperty('Expect');
    expect(headers).not.toHaveProperty('Transfer-Encoding');
  });

  it('puts a CJK station name on the wire as UTF-8 bytes (Node writes header strings as latin1)', () => {
    const name = sourceRequestHeaders(resolveTarget(TARGET))['ice-name'] as string;
    expect(Buffer.from(name, 'latin1').toString('utf8')).toBe('晴天 Radio');
  });

  it('drops control characters that would break the request head', () => {
    const headers = sourceRequestHeaders(resolveTarget({ ...TARGET, ice: { description: 'a\r\nInjected: 1' } }));
    expect(headers['ice-description']).toBe('a Injected: 1');
  });
});

describe('metadataPath', () => {
  const resolved = resolveTarget(TARGET);

  it('percent-encodes the title as UTF-8, including quotes and &, and names no charset by default', () => {
    const path = metadataPath(resolved, `晴天 & "Rock 'n' Roll" (live)!*`);
    expect(path).toBe(
      '/admin/metadata?mount=%2Fradio.mp3&mode=updinfo&song=' +
        '%E6%99%B4%E5%A4%A9%20%26%20%22Rock%20%27n%27%20Roll%22%20%28live%29%21%2A',
    );
    const song = new URL(path, 'http://x').searchParams.get('song');
    expect(song).toBe(`晴天 & "Rock 'n' Roll" (live)!*`);
  });

  it('names the charset when one is configured', () => {
    expect(metadataPath(resolveTarget({ ...TARGET, metadataCharset: 'UTF-8' }), 'x')).toMatch(/&charset=UTF-8$/);
  });
});
