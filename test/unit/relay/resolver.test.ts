import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { ProviderDisabledError } from '../../../src/relay/errors.js';
import { RefSyntaxError } from '../../../src/refs/index.js';
import { PageRequestError, createResolver } from '../../../src/relay/resolver.js';

describe('resolver', () => {
  const resolver = createResolver({ config: { netease: { baseUrl: 'http://127.0.0.1:9/' } }, logger: silentLogger() });

  it('runs the providers whose config section is present', () => {
    expect(resolver.providers).toEqual(['netease']);
    expect(createResolver({ config: { qq: {}, local: { musicDir: '.' } }, logger: silentLogger() }).providers).toEqual(['local', 'qq']);
  });

  it('refuses refs for a provider it does not run', async () => {
    await expect(resolver.resolveSong('qq:002wit7s1Tvdlg')).rejects.toThrow(ProviderDisabledError);
    await expect(resolver.resolvePlaylist('local:playlist:x')).rejects.toThrow(ProviderDisabledError);
  });

  it('checks refs given as objects like refs given as text', async () => {
    await expect(resolver.resolveSong({ kind: 'song', provider: 'netease', id: '1@evil' })).rejects.toThrow(RefSyntaxError);
    await expect(resolver.resolveSong('netease:playlist:1')).rejects.toThrow(RefSyntaxError);
  });

  it.each([{ offset: -1 }, { limit: 0 }, { limit: 501 }, { offset: 1.5 }])('refuses the page %j', async (page) => {
    await expect(resolver.resolvePlaylist('netease:playlist:1', page)).rejects.toThrow(PageRequestError);
  });
});
