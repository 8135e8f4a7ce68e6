import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/relay/http/range.js';

describe('parseRange', () => {
  it.each([
    [undefined, 1000, { kind: 'whole' }],
    ['bytes=0-8191', 1000, { kind: 'part', start: 0, end: 999 }],
    ['bytes=0-99', 1000, { kind: 'part', start: 0, end: 99 }],
    ['bytes=100-', 1000, { kind: 'part', start: 100, end: 999 }],
    ['bytes=-100', 1000, { kind: 'part', start: 900, end: 999 }],
    ['bytes=-5000', 1000, { kind: 'part', start: 0, end: 999 }],
    ['bytes=999-999', 1000, { kind: 'part', start: 999, end: 999 }],
    ['bytes=1000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=-0', 1000, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    // Ignored (the whole file goes out), as RFC 9110 allows for what a server does not handle.
    ['bytes=0-1,5-6', 1000, { kind: 'whole' }],
    ['items=0-1', 1000, { kind: 'whole' }],
    ['bytes=5-1', 1000, { kind: 'whole' }],
    ['bytes=-', 1000, { kind: 'whole' }],
    ['bytes=a-b', 1000, { kind: 'whole' }],
  ])('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
