import { describe, expect, it } from 'vitest';
import { createClientAddress, isAddressOrRange } from '../../../src/relay/http/client-address.js';

describe('client address', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const address = createClientAddress(undefined);
    expect(address('10.0.0.2', '203.0.113.5')).toBe('10.0.0.2');
    expect(address('::ffff:10.0.0.2', undefined)).toBe('10.0.0.2');
  });

  it('with N trusted hops, is the address N entries from the right of the chain (peer included)', () => {
    expect(createClientAddress(1)('10.0.0.2', '6.6.6.6, 203.0.113.5')).toBe('203.0.113.5');
    expect(createClientAddress(2)('10.0.0.2', '6.6.6.6, 203.0.113.5, 10.0.0.3')).toBe('203.0.113.5');
    // Fewer entries than hops: the leftmost there is.
    expect(createClientAddress(3)('10.0.0.2', '203.0.113.5')).toBe('203.0.113.5');
    expect(createClientAddress(1)('10.0.0.2', undefined)).toBe('10.0.0.2');
  });

  it('with trusted proxy addresses, is the first address from the right that is not one of them', () => {
    const address = createClientAddress(['10.0.0.2', '10.1.0.0/16', '::1']);
    expect(address('10.0.0.2', '6.6.6.6, 203.0.113.5, 10.1.4.4')).toBe('203.0.113.5');
    expect(address('::1', '203.0.113.5')).toBe('203.0.113.5');
    // The peer is not a trusted proxy: its header is the client's own writing.
    expect(address('198.51.100.7', '203.0.113.5')).toBe('198.51.100.7');
    expect(address('10.0.0.2', '10.1.0.9')).toBe('10.1.0.9');
  });

  it('keys on the proxy when the entry it would believe is not an address', () => {
    expect(createClientAddress(1)('10.0.0.2', 'unknown')).toBe('10.0.0.2');
    expect(createClientAddress(['10.0.0.2'])('10.0.0.2', 'evil, ')).toBe('10.0.0.2');
  });

  it.each([
    ['10.0.0.2', true],
    ['10.0.0.0/8', true],
    ['fd00::/8', true],
    ['::1', true],
    ['10.0.0.0/33', false],
    ['proxy.example', false],
    ['10.0.0.0/8/1', false],
    ['', false],
  ])('isAddressOrRange(%j) is %s', (text, expected) => {
    expect(isAddressOrRange(text)).toBe(expected);
  });
});
