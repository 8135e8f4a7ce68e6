import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/log/index.js';
import { createFileUrlSigner } from '../../../src/relay/file-url.js';

describe('redactUrl keeps what locates a URL and drops what grants access to it', () => {
  it('drops user info and the query string (signed keys of music CDNs)', () => {
    expect(redactUrl('https://user:pw@cdn.example.com/a/b.m4a?vkey=SECRET&guid=1')).toBe('https://cdn.example.com/a/b.m4a?…');
  });

  it("drops the token of the relay's signed file URL: that path segment is the credential", () => {
    const signer = createFileUrlSigner({ secret: 'k'.repeat(32), publicBaseUrl: 'http://relay.example:8780/', now: () => 0 });
    const url = signer.urlFor('album/song.flac', 3_600_000);
    const token = url.split('/').pop()!;
    const shown = redactUrl(url);
    expect(shown).toBe('http://relay.example:8780/v1/files/…');
    expect(shown).not.toContain(token.slice(0, 8));
  });

  it('drops the token behind a relay mounted under a path prefix too', () => {
    expect(redactUrl('https://example.cn/relay/v1/files/eyJhIjoxfQ.c2ln')).toBe('https://example.cn/relay/v1/files/…');
  });

  it('drops hex digests in the path (NetEase CDN paths carry an expiry and a signature)', () => {
    expect(redactUrl('http://m701.music.126.net/20260101120000/5b1d1a0e6d3ed7d6e8c1b3d2e9a2b8f4/jdyyaac/obj/x.m4a')).toBe(
      'http://m701.music.126.net/20260101120000/…/jdyyaac/obj/x.m4a',
    );
  });

  it('leaves ordinary paths alone', () => {
    expect(redactUrl('http://127.0.0.1:8780/v1/songs/netease%3A186016')).toBe('http://127.0.0.1:8780/v1/songs/netease%3A186016');
    expect(redactUrl('redis://:pw@127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
  });

  it('says so rather than echoing something that is not a URL', () => {
    expect(redactUrl('not a url /v1/files/abc')).toBe('[unparseable url]');
  });
});
