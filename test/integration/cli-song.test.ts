import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { playableSong, startFakeRelay, type FakeAnswer, type FakeRelay } from '../support/fake-relay.js';

const TOKEN = 'eyJhbGJ1bS9zb25nLmZsYWMiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLW9mLXRoZS1maWxlLXVybA';

/** The relay's answer for a local file: a signed URL whose path is the credential. */
function localFileSong(ref: string): FakeAnswer {
  const answer = playableSong(ref);
  const body = answer.body as { audio: object };
  return { ...answer, body: { ...body, audio: { ...body.audio, url: `http://127.0.0.1:8780/v1/files/${TOKEN}`, format: 'flac' } } };
}

describe('relaycast song never prints a usable file URL unless asked', () => {
  let relay: FakeRelay;
  const cli = (...args: string[]) => runCli(['song', 'local:album/song.flac', ...args], { env: { RELAY_URL: relay.url, RELAY_TOKEN: 'secret' } });

  beforeAll(async () => {
    relay = await startFakeRelay({ token: 'secret', song: (ref) => localFileSong(ref) });
  });

  afterAll(async () => {
    await relay?.stop();
  });

  it('text and JSON show the relay file URL without its token', async () => {
    for (const result of [await cli(), await cli('--json')]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('http://127.0.0.1:8780/v1/files/…');
      expect(result.stdout).not.toContain(TOKEN.slice(0, 12));
    }
  });

  it('--show-url prints the whole URL', async () => {
    const result = await cli('--show-url');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`/v1/files/${TOKEN}`);
  });
});
