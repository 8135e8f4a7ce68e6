import { describe, expect, it } from 'vitest';
import { createFileUrlSigner, deriveFileUrlSecret } from '../../../src/relay/file-url.js';

const clock = { now: Date.UTC(2024, 0, 1) };
const signer = createFileUrlSigner({ secret: 'file-url-secret-0123', publicBaseUrl: 'https://relay.example/base', now: () => clock.now });

function tokenOf(url: string): string {
  return url.slice('https://relay.example/base/v1/files/'.length);
}

describe('file URL signer', () => {
  it('gives a URL under the public base that grants the path until it expires', () => {
    const url = signer.urlFor('華語/a b.m4a', clock.now + 60_000);
    expect(url).toMatch(/^https:\/\/relay\.example\/base\/v1\/files\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(tokenOf(url))).toEqual({ ok: true, value: { relPath: '華語/a b.m4a' } });
  });

  it('refuses an expired token', () => {
    const url = signer.urlFor('a.m4a', clock.now + 1000);
    const later = createFileUrlSigner({ secret: 'file-url-secret-0123', publicBaseUrl: 'https://relay.example/', now: () => clock.now + 1000 });
    expect(later.verify(tokenOf(url))).toEqual({ ok: false, failure: 'expired' });
  });

  it('refuses a token whose path or expiry was changed, or signed with another key', () => {
    const [payload = '', signature = ''] = tokenOf(signer.urlFor('a.m4a', clock.now + 60_000)).split('.');
    const forged = Buffer.from(JSON.stringify(['../../etc/passwd', 9_999_999_999])).toString('base64url');
    expect(signer.verify(`${forged}.${signature}`)).toEqual({ ok: false, failure: 'bad signature' });
    const other = createFileUrlSigner({ secret: 'another-secret-0123456', publicBaseUrl: 'https://relay.example/', now: () => clock.now });
    expect(other.verify(`${payload}.${signature}`)).toEqual({ ok: false, failure: 'bad signature' });
  });

  it('refuses a signature that differs only in its unused trailing bits', () => {
    const token = tokenOf(signer.urlFor('a.m4a', clock.now + 60_000));
    const variant = token.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    expect(signer.verify(variant)).toEqual({ ok: false, failure: 'bad signature' });
  });

  it.each(['', 'abc', 'a.b.c', 'a/b.c', '..%2f.x'])('refuses the malformed token %j', (token) => {
    expect(signer.verify(token).ok).toBe(false);
  });

  it('derives a key that is not the token itself', () => {
    expect(deriveFileUrlSecret('relay-token-0123456789')).not.toContain('relay-token');
    expect(deriveFileUrlSecret('relay-token-0123456789')).toBe(deriveFileUrlSecret('relay-token-0123456789'));
  });
});
