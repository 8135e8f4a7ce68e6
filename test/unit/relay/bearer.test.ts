import { describe, expect, it } from 'vitest';
import { hasBearerOf } from '../../../src/relay/http/bearer.js';

describe('bearer check', () => {
  const isAuthorized = (header: string | undefined) => hasBearerOf(header, ['relay-token-0123456789']);

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

  it('accepts each of several tokens (a rotation: the new one and the previous one), and no other', () => {
    const tokens = ['new-relay-token-0123456789', 'old-relay-token-0123456789'];
    expect(hasBearerOf('Bearer new-relay-token-0123456789', tokens)).toBe(true);
    expect(hasBearerOf('Bearer old-relay-token-0123456789', tokens)).toBe(true);
    expect(hasBearerOf('Bearer other-token-0123456789', tokens)).toBe(false);
    expect(hasBearerOf('Bearer old-relay-token-0123456789', [])).toBe(false);
  });
});
