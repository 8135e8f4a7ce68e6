import { describe, expect, it } from 'vitest';
import { IcecastConfigWriter, STATION_MOUNTS_MARKER, WRITER_TIMING, type ConfigFiles, type FeedSignal, type MountedStation, type StationFeed } from '../../../src/icecast-mounts/index.js';
import { ConfigError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log/index.js';
import { FakeClock } from '../station/fake-clock.js';

const baseWith = (password: string) => `<icecast><source-password>${password}</source-password>\n    ${STATION_MOUNTS_MARKER}\n</icecast>\n`;

/** Files in memory; every write recorded. */
class MemoryFiles implements ConfigFiles {
  base: string | Error = baseWith('one');
  output: string | undefined;
  writes: string[] = [];
  failWrites = false;
  async readBase() {
    if (this.base instanceof Error) throw this.base;
    return this.base;
  }
  async readOutput() {
    return this.output;
  }
  async writeOutput(text: string) {
    if (this.failWrites) throw new Error('EACCES');
    this.output = text;
    this.writes.push(text);
  }
}

/** Redis as a list that can go away, and the follow callback the test fires. */
class FakeFeed implements StationFeed {
  stations: MountedStation[] = [];
  away = false;
  lists = 0;
  signal: ((signal: FeedSignal) => void) | undefined;
  closed = false;
  async list() {
    this.lists += 1;
    if (this.away) throw new Error('Connection is closed.');
    return [...this.stations];
  }
  follow(onSignal: (signal: FeedSignal) => void) {
    this.signal = onSignal;
  }
  close() {
    this.closed = true;
  }
}

function setup() {
  const files = new MemoryFiles();
  const feed = new FakeFeed();
  const clock = new FakeClock();
  const lines: Array<{ level: string; event?: string; msg: string }> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const writer = new IcecastConfigWriter({ files, feed, clock, logger, outputPath: '/config/icecast.xml' });
  return { files, feed, clock, lines, writer };
}

const mountNames = (text: string | undefined) => [...(text ?? '').matchAll(/<mount-name>([^<]*)</g)].map((match) => match[1]);
/** Lets the writer's promises run (its rounds await fakes that resolve at once). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the Icecast config writer', () => {
  it('writes the base with every station at start, and again only when the text changes', async () => {
    const { files, feed, writer } = setup();
    feed.stations = [{ name: 'main', mount: '/radio.mp3' }];
    await writer.start();
    expect(mountNames(files.output)).toEqual(['/radio.mp3', '/fallback/radio.mp3']);
    expect(files.output).toContain('<source-password>one</source-password>');
    await writer.request({ stations: true });
    expect(files.writes).toHaveLength(1);

    feed.stations.push({ name: 'jazz', mount: '/jazz.mp3' });
    feed.signal!('event');
    await writer.request({ stations: false });
    expect(files.writes).toHaveLength(2);
    expect(mountNames(files.output)).toEqual(['/jazz.mp3', '/fallback/jazz.mp3', '/radio.mp3', '/fallback/radio.mp3']);
    await writer.stop();
    expect(feed.closed).toBe(true);
  });

  it('leaves an up-to-date file untouched at start (Icecast reloads on every write)', async () => {
    const first = setup();
    await first.writer.start();
    const again = setup();
    again.files.output = first.files.output;
    await again.writer.start();
    expect(again.files.writes).toEqual([]);
  });

  it('follows a change of the base within one poll, with the stations it knows', async () => {
    const { files, feed, clock, writer } = setup();
    feed.stations = [{ name: 'main', mount: '/radio.mp3' }];
    await writer.start();
    const listsBefore = feed.lists;
    files.base = baseWith('two');
    clock.advance(WRITER_TIMING.basePollMs);
    await settle();
    expect(files.output).toContain('<source-password>two</source-password>');
    expect(mountNames(files.output)).toEqual(['/radio.mp3', '/fallback/radio.mp3']);
    // A base poll reads no Redis.
    expect(feed.lists).toBe(listsBefore);
    await writer.stop();
  });

  it('reads the stations again every refresh period, so a missed event is repaired', async () => {
    const { files, feed, clock, writer } = setup();
    await writer.start();
    feed.stations = [{ name: 'main', mount: '/radio.mp3' }];
    clock.advance(WRITER_TIMING.refreshMs - 1);
    await settle();
    expect(mountNames(files.output)).toEqual([]);
    clock.advance(1);
    await settle();
    expect(mountNames(files.output)).toEqual(['/radio.mp3', '/fallback/radio.mp3']);
    await writer.stop();
  });

  it('keeps the last file while Redis is away, logging it once, and follows again when it is back', async () => {
    const { files, feed, lines, writer } = setup();
    feed.stations = [{ name: 'main', mount: '/radio.mp3' }];
    await writer.start();
    const written = files.output;
    feed.away = true;
    for (let i = 0; i < 3; i += 1) await writer.request({ stations: true });
    expect(files.output).toBe(written);
    expect(writer.redis).toBe('away');
    expect(lines.filter((line) => line.event === 'icecast-config.redis-away')).toHaveLength(1);

    feed.away = false;
    feed.stations = [];
    feed.signal!('subscribed');
    await writer.request({ stations: false });
    expect(mountNames(files.output)).toEqual([]);
    expect(lines.some((line) => line.event === 'icecast-config.redis-back')).toBe(true);
    await writer.stop();
  });

  it('started without Redis: writes the base alone when there is no file, keeps a file that is there', async () => {
    const fresh = setup();
    fresh.feed.away = true;
    await fresh.writer.start();
    expect(fresh.files.writes).toHaveLength(1);
    expect(fresh.files.output).toContain('<source-password>one</source-password>');
    expect(mountNames(fresh.files.output)).toEqual([]);
    await fresh.writer.stop();

    const existing = setup();
    existing.feed.away = true;
    existing.files.output = 'what was there';
    await existing.writer.start();
    expect(existing.files.writes).toEqual([]);
    existing.feed.away = false;
    existing.feed.stations = [{ name: 'main', mount: '/radio.mp3' }];
    existing.feed.signal!('subscribed');
    await existing.writer.request({ stations: false });
    expect(mountNames(existing.files.output)).toEqual(['/radio.mp3', '/fallback/radio.mp3']);
    await existing.writer.stop();
  });

  it('refuses to start on a base without the marker; a base that loses it later is logged once and the file kept', async () => {
    const bad = setup();
    bad.files.base = '<icecast></icecast>';
    await expect(bad.writer.start()).rejects.toThrow(ConfigError);
    expect(bad.files.writes).toEqual([]);

    const { files, lines, writer } = setup();
    await writer.start();
    const written = files.output;
    files.base = '<icecast></icecast>';
    await writer.request({ stations: false });
    await writer.request({ stations: false });
    expect(files.output).toBe(written);
    expect(lines.filter((line) => line.event === 'icecast-config.failed')).toHaveLength(1);
    files.base = baseWith('three');
    await writer.request({ stations: false });
    expect(files.output).toContain('three');
    expect(lines.some((line) => line.event === 'icecast-config.recovered')).toBe(true);
    await writer.stop();
  });

  it('runs one round at a time: requests during a round make exactly one more, which sees the latest stations', async () => {
    const { files, feed, writer } = setup();
    await writer.start();
    const listsBefore = feed.lists;
    feed.stations = [{ name: 'a', mount: '/a.mp3' }];
    const first = writer.request({ stations: true });
    feed.stations = [{ name: 'a', mount: '/a.mp3' }, { name: 'b', mount: '/b.mp3' }];
    for (let i = 0; i < 5; i += 1) void writer.request({ stations: true });
    await first;
    expect(feed.lists - listsBefore).toBe(2);
    expect(mountNames(files.output)).toEqual(['/a.mp3', '/fallback/a.mp3', '/b.mp3', '/fallback/b.mp3']);
    await writer.stop();
  });

  it('a failed write is logged and tried again at the next round', async () => {
    const { files, feed, lines, writer } = setup();
    await writer.start();
    files.failWrites = true;
    feed.stations = [{ name: 'a', mount: '/a.mp3' }];
    await writer.request({ stations: true });
    expect(lines.some((line) => line.event === 'icecast-config.failed')).toBe(true);
    files.failWrites = false;
    await writer.request({ stations: false });
    expect(mountNames(files.output)).toEqual(['/a.mp3', '/fallback/a.mp3']);
    await writer.stop();
  });
});
