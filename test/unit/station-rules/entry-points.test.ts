import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT, type StreamFormat } from '../../../src/audio/index.js';
import { configSchema, stationSchema } from '../../../src/config/index.js';
import { resolveTarget } from '../../../src/icecast/target.js';
import { validateMount, validateName, validateStationSettings } from '../../../src/store/validate.js';

/**
 * A station is defined in the config file or in Redis and then pushed to Icecast: each of these entry
 * points must accept and refuse the same names, mounts and formats, or a station passes one and fails
 * the next (a configured /live/radio.mp3 once could not be seeded into Redis).
 */
const passes = (run: () => unknown): boolean => {
  try {
    run();
    return true;
  } catch {
    return false;
  }
};

const configAccepts = (station: object): boolean => stationSchema.safeParse({ name: 'main', mount: '/radio.mp3', ...station }).success;
const targetAccepts = (target: { mount?: string; format?: StreamFormat }): boolean =>
  passes(() => resolveTarget({ url: 'http://127.0.0.1:8000', mount: '/radio.mp3', password: 'x', ice: {}, format: DEFAULT_STREAM_FORMAT, ...target }));

const GOOD_MOUNTS = ['/radio.mp3', '/a', '/jazz-fm_2.mp3', '/live/radio.mp3', '/a/b/c.ogg', '/~night.mp3', `/${'m'.repeat(63)}`];
const BAD_MOUNTS = ['', 'radio.mp3', '/', '/a b.mp3', '/ä.mp3', `/${'m'.repeat(80)}`, '/live/', '/a//b.mp3', '/./radio.mp3', '/live/../radio.mp3', '/radio.mp3?x=1', '/radio#1'];
/** Mounts Icecast may carry as a station's fallback (fallbackMountOf) but no station may have. */
const FALLBACK_ONLY_MOUNTS = [`/${'m'.repeat(64)}`, '/fallback/radio.mp3', `/fallback/${'m'.repeat(63)}`];

describe('one mount rule: config, store and Icecast target agree', () => {
  it.each(GOOD_MOUNTS)('all accept %j', (mount) => {
    expect({ config: configAccepts({ mount }), store: passes(() => validateMount(mount)), target: targetAccepts({ mount }) }).toEqual({ config: true, store: true, target: true });
  });

  it.each(BAD_MOUNTS)('all refuse %j', (mount) => {
    expect({ config: configAccepts({ mount }), store: passes(() => validateMount(mount)), target: targetAccepts({ mount }) }).toEqual({ config: false, store: false, target: false });
  });

  it.each(FALLBACK_ONLY_MOUNTS)('config and store refuse %j, which the target takes as a fallback mount', (mount) => {
    expect({ config: configAccepts({ mount }), store: passes(() => validateMount(mount)), target: targetAccepts({ mount }) }).toEqual({ config: false, store: false, target: true });
  });

  it('a station update carries the same rule as a new mount', () => {
    expect(passes(() => validateStationSettings({ mount: '/live/radio.mp3' }))).toBe(true);
    expect(passes(() => validateStationSettings({ mount: '/live//radio.mp3' }))).toBe(false);
  });
});

const GOOD_NAMES = ['main', 'Jazz FM', '晚间 jazz: mix', 'x'.repeat(64)];
const BAD_NAMES = ['', 'x'.repeat(65), 'a\tb', 'a\u009b', ' jazz', 'jazz '];

describe('one name rule: config and store agree (the Icecast target has no station name)', () => {
  it.each(GOOD_NAMES)('both accept %j', (name) => {
    expect({ config: configAccepts({ name }), store: passes(() => validateName('station', name)) }).toEqual({ config: true, store: true });
  });

  it.each(BAD_NAMES)('both refuse %j', (name) => {
    expect({ config: configAccepts({ name }), store: passes(() => validateName('station', name)) }).toEqual({ config: false, store: false });
  });
});

const GOOD_FORMATS: StreamFormat[] = [DEFAULT_STREAM_FORMAT, { bitrateKbps: 192, sampleRate: 48000, channels: 1 }, { bitrateKbps: 32, sampleRate: 32000, channels: 2 }];
const BAD_FORMATS = [
  { ...DEFAULT_STREAM_FORMAT, bitrateKbps: 100 },
  { ...DEFAULT_STREAM_FORMAT, sampleRate: 22050 },
  { ...DEFAULT_STREAM_FORMAT, channels: 3 as 1 },
];

describe("one format rule, audio's: config, store and Icecast target agree", () => {
  it.each(GOOD_FORMATS)('all accept %j', (format) => {
    const verdicts = { config: configAccepts({ format }), store: passes(() => validateStationSettings({ format })), target: targetAccepts({ format }) };
    expect(verdicts).toEqual({ config: true, store: true, target: true });
  });

  it.each(BAD_FORMATS)('all refuse %j', (format) => {
    const verdicts = { config: configAccepts({ format }), store: passes(() => validateStationSettings({ format })), target: targetAccepts({ format }) };
    expect(verdicts).toEqual({ config: false, store: false, target: false });
  });
});

const GOOD_ICE_TEXTS = ['', 'Jazz FM', '晚间 jazz', 'x'.repeat(256)];
const BAD_ICE_TEXTS = ['x'.repeat(257), 'a\nb', 'a\u0000b', 'a\u009bb'];

describe('one ice-* text rule: config and store agree', () => {
  const verdicts = (text: string) => ({
    config: configAccepts({ ice: { name: text, description: text, genre: text } }),
    store: passes(() => validateStationSettings({ iceName: text, iceDescription: text, iceGenre: text })),
  });

  it.each(GOOD_ICE_TEXTS)('both accept %j', (text) => {
    expect(verdicts(text)).toEqual({ config: true, store: true });
  });

  it.each(BAD_ICE_TEXTS)('both refuse %j', (text) => {
    expect(verdicts(text)).toEqual({ config: false, store: false });
  });
});

const GOOD_ICECAST_URLS = ['http://127.0.0.1:8000', 'http://icecast:8000/', 'http://radio.example.org'];
const BAD_ICECAST_URLS = ['icecast:8000', 'https://127.0.0.1:8000', 'http://source:pw@127.0.0.1:8000', 'http://127.0.0.1:8000/radio.mp3', 'http://127.0.0.1:8000/?x=1'];

describe('one Icecast URL rule: the config refuses at load what the target would refuse', () => {
  const verdicts = (url: string) => ({
    config: configSchema.safeParse({ icecast: { url, sourcePassword: 'x' } }).success,
    target: passes(() => resolveTarget({ url, mount: '/radio.mp3', password: 'x', ice: {}, format: DEFAULT_STREAM_FORMAT })),
  });

  it.each(GOOD_ICECAST_URLS)('both accept %j', (url) => {
    expect(verdicts(url)).toEqual({ config: true, target: true });
  });

  it.each(BAD_ICECAST_URLS)('both refuse %j', (url) => {
    expect(verdicts(url)).toEqual({ config: false, target: false });
  });
});
