import { describe, expect, it } from 'vitest';
import { mountProblem } from '../../../src/station-rules/index.js';

describe('mountProblem', () => {
  it('accepts nested mounts, which Icecast serves like any other', () => {
    expect(mountProblem('/live/radio.mp3')).toBeUndefined();
  });

  it('says what to change, with an example', () => {
    expect(mountProblem('radio.mp3')).toBe('must start with "/" (e.g. /radio.mp3 or /live/radio.mp3)');
    expect(mountProblem(`/${'m'.repeat(64)}`)).toBe('is longer than 64 characters');
    expect(mountProblem('/live/../radio.mp3')).toMatch(/^must be "\/"-separated parts of letters, digits, .* \(e\.g\. \/radio\.mp3/);
  });
});
