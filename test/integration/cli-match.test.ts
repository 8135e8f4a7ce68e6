import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { createRelayServer, type RelayServer } from '../../src/relay/index.js';
import { cliAgainst } from '../support/cli.js';
import { ASKED, CANDIDATE_MID, startMatchUpstream, type MatchUpstream } from '../support/match-upstream.js';
import { requirePrograms } from '../support/prereq.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const TOKEN = 'cli-match-relay-token-123456';
const MATCHED = `qq:${CANDIDATE_MID}`;

/**
 * What the CLI says of a song NetEase refuses and the relay plays from QQ instead: a real relay (in this
 * process) on recorded upstream answers, the built CLI as a separate process, a real Redis for the import.
 */
describe('the CLI shows cross-provider matches', () => {
  let match: MatchUpstream;
  let relay: RelayServer;
  let redis: RedisServer;
  const cli = cliAgainst(() => ({ RELAY_URL: relay.url, RELAY_TOKEN: TOKEN, REDIS_URL: redis.url }));

  beforeAll(async () => {
    requirePrograms('redis-server');
    [match, redis] = await Promise.all([startMatchUpstream(), startRedis()]);
    relay = createRelayServer({ config: { token: TOKEN, ...match.providers() }, logger: silentLogger() });
    await relay.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await relay?.close();
    await Promise.all([match?.close(), redis?.stop()]);
  });

  it('`relaycast song` says which song plays instead (text and --json)', async () => {
    const text = await cli.ok(['song', ASKED]);
    expect(text).toContain('  title:    小宝贝');
    expect(text).toMatch(new RegExp(`  matched: {2}its own service refuses it; the same recording plays from ${MATCHED} \\(score \\d\\.\\d\\d\\)`));
    const json = JSON.parse(await cli.ok(['song', ASKED, '--json']));
    expect(json).toMatchObject({ playable: true, ref: ASKED, matchedFrom: { ref: MATCHED } });
  });

  it('`playlist import` counts the songs that play directly, through a match, and not at all', async () => {
    // netease:1 has no item in the recorded song-URL answer (it lists another id): an upstream error, not imported.
    const refs = [ASKED, MATCHED, 'netease:1'].join('\n');
    const text = await cli.ok(['playlist', 'import', 'evening', '-', '--no-progress'], { stdin: refs });
    expect(text).toContain('imported 2 of 3 songs into evening (2 songs in all): 1 play directly, 1 through a match on the other service');
    expect(text).toContain(`through a match (1):\n  ${ASKED} plays from ${MATCHED}`);
    expect(text).toMatch(/not imported \(1\):\n {2}line 3 netease:1: upstream-error/);
    const json = JSON.parse(await cli.ok(['playlist', 'import', 'again', '-', '--json', '--no-progress'], { stdin: refs }));
    expect(json).toMatchObject({ added: 2, direct: 1, matched: [{ ref: ASKED, playsFrom: MATCHED }], skipped: [{ ref: 'netease:1', reason: 'upstream-error' }] });
  });
});
