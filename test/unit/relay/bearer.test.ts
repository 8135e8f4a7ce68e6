import { describe, expect, it } from 'vitest';
import { createBearerCheck } from '../../../src/relay/http/bearer.js';

describe('bearer check', () => {
  const isAuthorized = createBearerCheck('relay-token-0123456789');

  it.each([
    ['Bearer relay-token-0123456789', true],
    ['bearer relay-token-0123456789', true],
    ['Bearer  relay-token-0123456789 ', true],
    [undefined, false],
    ['', false],
    ['relay-token-0123456789', false],
    ['Basic relay-token-0123456789', false],
    ['Bearer relay-token-012345678', false],
    ['Bearer relay-token-01234567890', false],
    ['Bearer relay-token-0123456789 extra', false],
  ])('%j → %s', (header, expected) => {
    expect(isAuthorized(header)).toBe(expected);
  });
});
