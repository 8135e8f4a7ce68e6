import { describe, expect, it } from 'vitest';
import { nameProblem } from '../../../src/station-rules/index.js';

describe('nameProblem', () => {
  it.each([
    ['', 'is empty'],
    ['x'.repeat(65), 'is longer than 64 characters'],
    ['a\nb', 'contains control characters'],
    ['jazz ', 'has leading or trailing spaces'],
  ])('%j %s', (name, problem) => {
    expect(nameProblem(name)).toBe(problem);
  });

  it('accepts any script and inner spaces', () => {
    expect(nameProblem('晚间 jazz: mix')).toBeUndefined();
  });
});
