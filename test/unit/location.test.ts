import { describe, expect, it } from 'vitest';
import { isFileLocation } from '../../src/location.js';

describe('isFileLocation', () => {
  it('tells paths from URLs and refs', () => {
    expect(['/srv/a.mp3', 'a b/c.mp3', './x.m4a'].map(isFileLocation)).toEqual([true, true, true]);
    expect(['http://example.invalid/a.mp3', 'file:///a.mp3', 'qq:0039MnYb0qxYhV', 'local:a.mp3'].map(isFileLocation)).toEqual([false, false, false, false]);
  });

  it('takes a Windows drive path for a file and an ffmpeg protocol for a scheme', () => {
    expect(['C:\\music\\a.mp3', 'c:/music/a.mp3', '/music/a:b.m4a'].map(isFileLocation)).toEqual([true, true, true]);
    expect(['pipe:0', 'concat:a.mp3|b.mp3', 'tcp://host:1'].map(isFileLocation)).toEqual([false, false, false]);
  });
});
