import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/store/errors.js';
import { validateMount, validateName, validatePositions, validateStationSettings } from '../../../src/store/validate.js';

describe('validateName', () => {
  it('accepts 1 to 64 characters, any script', () => {
    expect(validateName('playlist', 'a')).toBe('a');
    expect(validateName('station', 'x'.repeat(64))).toBe('x'.repeat(64));
    expect(validateName('playlist', '晚间 jazz: mix')).toBe('晚间 jazz: mix');
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(65), /longer than 64/],
    ['x'.repeat(10_000), /longer than 64/],
    ['a\tb', /control characters/],
    ['a\u0007', /control characters/],
    ['a\u009b', /control characters/],
    [' jazz', /leading or trailing spaces/],
  ])('refuses %j', (name, message) => {
    expect(() => validateName('playlist', name)).toThrow(ValidationError);
    expect(() => validateName('playlist', name)).toThrow(message);
  });

  it('shows a long name cut short in the message', () => {
    expect(() => validateName('station', 'y'.repeat(10_000))).toThrow(/^station name "y{60}…" is longer/);
  });
});

describe('validateMount', () => {
  // A nested mount is one Icecast serves and the config accepts: refusing it here kept such stations out of Redis.
  it.each(['/radio.mp3', '/a', '/jazz-fm_2.mp3', '/a/b.mp3'])('accepts %s', (mount) => expect(validateMount(mount)).toBe(mount));
  it.each(['radio.mp3', '/', '/a b.mp3', `/${'m'.repeat(64)}`, '/ä.mp3'])('refuses %j', (mount) => {
    expect(() => validateMount(mount)).toThrow(ValidationError);
  });
});

describe('validateStationSettings', () => {
  it('accepts known bitrates, sample rates and channels', () => {
    expect(() => validateStationSettings({ format: { bitrateKbps: 192, sampleRate: 48000, channels: 1 } })).not.toThrow();
  });

  it.each([
    [{ format: { bitrateKbps: 100 } }, /bitrate 100/],
    [{ format: { sampleRate: 22050 } }, /sample rate 22050/],
    [{ format: { channels: 3 as 1 } }, /channels 3/],
    [{ mode: 'random' as 'order' }, /mode "random"/],
    [{ iceName: 'a\nb' }, /ice-name contains control/],
    [{ playlist: '' }, /playlist name is empty/],
    [{ match: 'off' as unknown as boolean }, /match must be on or off/],
    // Alone, without a format change beside it (the store's own check, whatever the CLI parsed).
    [{ loudness: -40 }, /loudness must be a target in LUFS from -30 to -5/],
    [{ loudness: Number.NaN }, /loudness must be a target/],
  ])('refuses %j', (settings, message) => {
    expect(() => validateStationSettings(settings)).toThrow(message);
  });
});

describe('validatePositions', () => {
  it('refuses zero, negatives, fractions and an empty list', () => {
    expect(() => validatePositions([])).toThrow(ValidationError);
    expect(() => validatePositions([0])).toThrow(/positions start at 1/);
    expect(() => validatePositions([-1])).toThrow(ValidationError);
    expect(() => validatePositions([1.5])).toThrow(ValidationError);
    expect(validatePositions([3, 1])).toEqual([3, 1]);
  });
});
