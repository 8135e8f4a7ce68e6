import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { parseRange } from '../../../src/cli/format/range.js';

describe('parseRange (mpc: 0-based START, END excluded)', () => {
  it.each([
    ['0:10', { start: 0, end: 10 }],
    ['5:', { start: 5 }],
    [':3', { start: 0, end: 3 }],
    [':', { start: 0 }],
    ['7', { start: 7, end: 8 }],
    ['4:4', { start: 4, end: 4 }],
  ])('%s', (text, range) => expect(parseRange(text)).toEqual(range));

  it.each(['', 'a:b', '-1:3', '3:1', '1.5:2', '1:2:3', '99999999999:'])('refuses %j', (text) => {
    expect(() => parseRange(text)).toThrow(CliError);
    expect(() => parseRange(text)).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
  });
});
