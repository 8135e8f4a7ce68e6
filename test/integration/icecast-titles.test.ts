import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../src/audio/format.js';
import { IcecastSource, type IcecastTarget } from '../../src/icecast/index.js';
import { createLogger } from '../../src/log/index.js';
import { captureLog, feedPaced, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { useIcecastSuite, within } from '../support/icecast-suite.js';

/** CJK, an ampersand, single and double quotes: each broke a title somewhere once. */
const TITLE = `周杰倫 - 晴天 & "Rock 'n' Roll"`;
const NEXT_TITLE = `陳奕迅 - 十年 'live' & "encore"`;
/** Icecast sends a changed title at the next metadata boundary: 16000 bytes, 1 s at 128 kb/s. */
const TITLE_TIMEOUT_MS = 5_000;

const suite = useIcecastSuite('icecast-titles', { utf8: {}, latin1: { defaultMountCharset: false } });
const { servers, cleanups } = suite;

/** A streaming source on `mount` with a paced tone, and an ICY listener on it. */
async function streamWithListener(
  icecast: IcecastServer,
  mount: string,
  overrides: Partial<IcecastTarget>,
  titleBeforeStart?: string,
): Promise<{ source: IcecastSource; listener: Listener; log: ReturnType<typeof captureLog> }> {
  const log = captureLog();
  const source = new IcecastSource({
    target: { url: icecast.url, mount, password: icecast.sourcePassword, ice: {}, format: DEFAULT_STREAM_FORMAT, ...overrides },
    logger: createLogger({ destination: log, level: 'debug' }),
  });
  const feeder = feedPaced(source, suite.tone);
  cleanups.push(() => feeder.stop(), () => source.stop());
  if (titleBeforeStart !== undefined) source.setTitle(titleBeforeStart);
  source.start();
  await once(source, 'streaming', within(10_000));
  await icecast.waitForMount(mount, 5_000);
  const listener = await listen(`${icecast.url}${mount}`, { icyMetadata: true });
  cleanups.push(() => listener.close());
  return { source, listener, log };
}

describe.each([
  { mountConfig: 'the default mount with <charset>UTF-8</charset>', server: 'utf8' as const },
  { mountConfig: 'a mount without <charset> (Icecast falls back to ISO8859-1)', server: 'latin1' as const },
])('titles on $mountConfig', ({ server }) => {
  it('a title set before connecting reaches an ICY listener intact (CJK, &, quotes), then a changed one follows', async () => {
    const icecast = servers[server];
    const { source, listener, log } = await streamWithListener(icecast, `/titles-omit.mp3`, {}, TITLE);
    expect(listener.metaint).toBeGreaterThan(0);
    await listener.waitForTitle((title) => title === TITLE, TITLE_TIMEOUT_MS);

    source.setTitle(NEXT_TITLE);
    await listener.waitForTitle((title) => title === NEXT_TITLE, TITLE_TIMEOUT_MS);
    // A new listener's burst may start before the first title was set: that block carries an empty one.
    expect(listener.titles.map((received) => received.title).filter(Boolean)).toEqual([TITLE, NEXT_TITLE]);
    expect(log.lines.filter((line) => line.level === 'warn')).toEqual([]);
    expect(log.raw.join('')).not.toContain(icecast.sourcePassword);
  });
});

describe('title updates with admin credentials', () => {
  it('uses the admin user and password for /admin/metadata when they are given', async () => {
    const icecast = servers.utf8;
    const admin = { adminUser: 'admin', adminPassword: icecast.adminPassword };
    const { listener, log } = await streamWithListener(icecast, '/titles-admin.mp3', admin, TITLE);
    await listener.waitForTitle((title) => title === TITLE, TITLE_TIMEOUT_MS);
    expect(log.raw.join('')).not.toContain(icecast.adminPassword);
  });
});

describe('the metadataCharset setting', () => {
  it("charset=UTF-8 keeps the title intact on a mount with <charset>UTF-8</charset>", async () => {
    const { listener } = await streamWithListener(servers.utf8, '/titles-named.mp3', { metadataCharset: 'UTF-8' }, TITLE);
    await listener.waitForTitle((title) => title === TITLE, TITLE_TIMEOUT_MS);
  });

  it("charset=UTF-8 on a mount without <charset> turns CJK into &#NNNN; entities (Icecast 2.4.4; why 'omit' is the default)", async () => {
    const { listener } = await streamWithListener(servers.latin1, '/titles-named.mp3', { metadataCharset: 'UTF-8' }, TITLE);
    const received = await listener.waitForTitle((title) => title.includes('Rock'), TITLE_TIMEOUT_MS);
    expect(received.title).not.toBe(TITLE);
    expect(received.title).toContain('&#26228;'); // 晴
  });
});
