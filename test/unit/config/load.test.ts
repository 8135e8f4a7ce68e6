import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';
import { makeTempDir } from '../../support/tmp.js';

const BASE_ENV = { ICECAST_SOURCE_PASSWORD: 'hackme-source', STATION_NAME: 'main', STATION_MOUNT: '/radio.mp3' };

async function problemOf(load: Promise<unknown>): Promise<string> {
  const error = await load.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('loadConfig says what was wrong with a value of the wrong type or range', () => {
  let temp: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    temp = await makeTempDir('config');
  });

  afterAll(async () => {
    await temp?.remove();
  });

  async function configFile(name: string, content: object): Promise<string> {
    const path = join(temp.dir, name);
    await writeFile(path, JSON.stringify(content));
    return path;
  }

  const station = (format: object) => ({ icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 'x' }, stations: [{ name: 'main', mount: '/radio.mp3', format }] });

  it('a string where the file wants a number: "must be a number", with the value, not "is required"', async () => {
    const path = await configFile('string-bitrate.json', station({ bitrateKbps: '128' }));
    const message = await problemOf(loadConfig({}, path));
    expect(message).toBe(`config: stations[0].format.bitrateKbps (or STATION_BITRATE) in ${path}: must be a number, got "128"`);
  });

  it('a station\'s loudness is a target in LUFS or "off", -16 when not given; anything else names the range', async () => {
    const withLoudness = (loudness?: unknown) => ({ icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 'x' }, stations: [{ name: 'main', mount: '/radio.mp3', ...(loudness === undefined ? {} : { loudness }) }] });
    expect((await loadConfig({}, await configFile('loudness-default.json', withLoudness()))).stations[0]!.loudness).toBe(-16);
    expect((await loadConfig({}, await configFile('loudness-off.json', withLoudness('off')))).stations[0]!.loudness).toBe('off');
    expect((await loadConfig({}, await configFile('loudness-14.json', withLoudness(-14)))).stations[0]!.loudness).toBe(-14);
    expect(await problemOf(loadConfig({}, await configFile('loudness-40.json', withLoudness(-40))))).toContain('loudness must be a target in LUFS from -30 to -5');
  });

  it('a station\'s crossfade is seconds from 0 to 10, 0 when not given; STATION_CROSSFADE sets the environment\'s station', async () => {
    const withCrossfade = (crossfade?: unknown) => ({ icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 'x' }, stations: [{ name: 'main', mount: '/radio.mp3', ...(crossfade === undefined ? {} : { crossfade }) }] });
    expect((await loadConfig({}, await configFile('crossfade-default.json', withCrossfade()))).stations[0]!.crossfade).toBe(0);
    expect((await loadConfig({}, await configFile('crossfade-4.json', withCrossfade(4)))).stations[0]!.crossfade).toBe(4);
    expect(await problemOf(loadConfig({}, await configFile('crossfade-12.json', withCrossfade(12))))).toContain('invalid crossfade 12: expected seconds from 0 to 10 (0 = none)');
    expect((await loadConfig({ ...BASE_ENV, STATION_CROSSFADE: '2.5' })).stations[0]!.crossfade).toBe(2.5);
    expect(await problemOf(loadConfig({ ...BASE_ENV, STATION_CROSSFADE: 'long' }))).toBe('config: STATION_CROSSFADE: must be a number, got "long"');
  });

  it('a fraction where the file wants a whole number says so', async () => {
    const path = await configFile('fraction.json', { icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 'x' }, cacheMaxMb: 1.5 });
    const message = await problemOf(loadConfig({}, path));
    expect(message).toBe(`config: cacheMaxMb (or CACHE_MAX_MB) in ${path}: must be a whole number, got 1.5`);
  });

  it('a bitrate that is not an MP3 bitrate lists the allowed ones and the value given', async () => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, STATION_BITRATE: '-128' }));
    expect(message).toMatch(/^config: STATION_BITRATE: must be one of 32, 40, .*, 320, got -128$/);
  });

  it('a bitrate that is not a number at all says it must be a number', async () => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, STATION_BITRATE: 'fast' }));
    expect(message).toBe('config: STATION_BITRATE: must be a number, got "fast"');
  });

  it('a yes/no setting with another word says true or false', async () => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, ICE_PUBLIC: 'maybe' }));
    expect(message).toBe('config: ICE_PUBLIC: must be true or false, got "maybe"');
  });

  it('channels other than 1 or 2 name both choices', async () => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, STATION_CHANNELS: '6' }));
    expect(message).toBe('config: STATION_CHANNELS: must be one of 1, 2, got 6');
  });

  // The Icecast target's own rule, so the config refuses at load what the target would refuse later; never echoing credentials.
  it.each([
    ['http://127.0.0.1:8000/radio.mp3', 'must be only http://host:port; the mount is set separately, got "http://127.0.0.1:8000/radio.mp3"'],
    ['https://127.0.0.1:8000', 'must be http://host:port: Icecast sources speak plain HTTP, not https:, got "https://127.0.0.1:8000"'],
    ['http://source:hack@me@127.0.0.1:8000', 'must not contain credentials; set the source password separately, got "http://…@127.0.0.1:8000"'],
  ])('an Icecast URL %j is refused at load', async (url, problem) => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, ICECAST_URL: url }));
    expect(message).toBe(`config: ICECAST_URL: ${problem}`);
  });

  it('an ice text with a control character is refused at load, as the store would refuse it', async () => {
    const path = await configFile('ice-name.json', { ...station({}), stations: [{ name: 'main', mount: '/radio.mp3', ice: { name: 'a\nb' } }] });
    const message = await problemOf(loadConfig({}, path));
    expect(message).toBe(`config: stations[0].ice.name in ${path}: contains control characters, got "a\\nb"`);
  });

  it('a value below its minimum names the minimum', async () => {
    const message = await problemOf(loadConfig({ ...BASE_ENV, CACHE_MAX_MB: '4' }));
    expect(message).toBe('config: CACHE_MAX_MB: must be at least 16, got 4');
  });

  it('a missing value is still "is required"', async () => {
    const message = await problemOf(loadConfig({ STATION_NAME: 'main', STATION_MOUNT: '/radio.mp3' }));
    expect(message).toBe('config: icecast.sourcePassword (or ICECAST_SOURCE_PASSWORD): is required');
  });

  it('never repeats the value of a secret', async () => {
    const path = await configFile('secret.json', { icecast: { url: 'http://127.0.0.1:8000', sourcePassword: 12345678 } });
    const message = await problemOf(loadConfig({}, path));
    expect(message).toContain('must be a text');
    expect(message).not.toContain('12345678');
  });

  it('good values still load', async () => {
    const config = await loadConfig({ ...BASE_ENV, STATION_BITRATE: '192', ICE_PUBLIC: 'yes', CACHE_MAX_MB: '64' });
    expect(config.stations[0]?.format.bitrateKbps).toBe(192);
    expect(config.stations[0]?.ice.public).toBe(true);
    expect(config.cacheMaxMb).toBe(64);
  });
});

describe('loadConfig: METRICS_PORT and METRICS_HOST', () => {
  it('leaves the metrics off unless METRICS_PORT is set, on loopback by default', async () => {
    expect((await loadConfig(BASE_ENV)).metrics).toEqual({ host: '127.0.0.1' });
    expect((await loadConfig({ ...BASE_ENV, METRICS_PORT: '9464' })).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect((await loadConfig({ ...BASE_ENV, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('names METRICS_PORT when it is no port', async () => {
    expect(await problemOf(loadConfig({ ...BASE_ENV, METRICS_PORT: '70000' }))).toMatch(/^config: METRICS_PORT: /);
  });
});
