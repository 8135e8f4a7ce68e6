import { describe, expect, it } from 'vitest';
import { fallbackMountOf, mountProblem, stationMountProblem } from '../../../src/station-rules/index.js';

describe('mountProblem', () => {
  it('accepts nested mounts, which Icecast serves like any other', () => {
    expect(mountProblem('/live/radio.mp3')).toBeUndefined();
  });

  it('says what to change, with an example', () => {
    expect(mountProblem('radio.mp3')).toBe('must start with "/" (e.g. /radio.mp3 or /live/radio.mp3)');
    expect(stationMountProblem(`/${'m'.repeat(64)}`)).toBe('is longer than 64 characters');
    expect(mountProblem('/live/../radio.mp3')).toMatch(/^must be "\/"-separated parts of letters, digits, .* \(e\.g\. \/radio\.mp3/);
  });
});

describe('fallback mounts', () => {
  it('are the station\'s mount under /fallback, valid for Icecast even for the longest station mount', () => {
    expect(fallbackMountOf('/live/radio.mp3')).toBe('/fallback/live/radio.mp3');
    expect(mountProblem(fallbackMountOf(`/${'m'.repeat(63)}`))).toBeUndefined();
  });

  it('are no station\'s mount', () => {
    expect(stationMountProblem('/fallback/radio.mp3')).toBe('must not start with "/fallback/": the stations\' fallback mounts live there');
    expect(stationMountProblem('/fallback.mp3')).toBeUndefined();
  });
});
